/// A parameter value after its type read and checked it.
public enum ParameterValue: Sendable, Equatable {
    case number(Double)
    case duration(Duration)
    case seconds(Int)
    case bytes(Int64)
    /// Text in its canonical form (a signal as `SIGTERM`, a direction, a port, a name, a toxic).
    case text(String)
    case flag(Bool)
}
