import Foundation

/// The faultline executable this process runs from, for the helpers it starts as processes of
/// their own (the warden, the dns fault's resolver). `FAULTLINE_BIN` names it where this process
/// is not faultline itself (a test runner that injects in-process).
public enum FaultlineExecutable {
    public static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["FAULTLINE_BIN"], !explicit.isEmpty { return explicit }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
