/// Logger metadata keys, defined once so every module spells them the same way.
public enum LogKey {
    public static let call = "engine.call"
    public static let container = "container"
    public static let faultID = "fault.id"
    public static let faultKind = "fault.kind"
    public static let durationMS = "duration_ms"
    public static let ledger = "ledger"
    public static let error = "error"
}
