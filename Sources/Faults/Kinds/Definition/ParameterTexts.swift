import FaultlineSupport

/// Writes parameter values back as texts their types read exactly (`FaultParameters.texts`).
public enum ParameterTexts {
    /// A number as Swift prints it (shortest text that reads back as the same Double).
    public static func number(_ value: Double) -> String { "\(value)" }

    /// A duration in nanoseconds, so that nothing is rounded on the way.
    public static func duration(_ value: Duration) -> String { "\(value.nanoseconds)ns" }

    /// One value, or nothing when it was not given.
    public static func optional(_ key: String, _ value: String?) -> [(key: String, texts: [String])] {
        value.map { [(key, [$0])] } ?? []
    }

    /// A list, or nothing when it was not given.
    public static func list(_ key: String, _ values: [String]?) -> [(key: String, texts: [String])] {
        values.map { [(key, $0)] } ?? []
    }
}
