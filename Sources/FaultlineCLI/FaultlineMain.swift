import ArgumentParser
import FaultlineSupport
import Foundation

/// The process entry point: runs a command and maps every error to one clear line and the
/// documented exit code (2 invalid input, 3 engine/infrastructure).
public enum FaultlineMain {
    public static func run(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        do {
            var command = try FaultlineCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch {
            let (code, message) = classify(error)
            if let message {
                if code == 0 { Output(json: false).line(message) } else { Output.error(message) }
            }
            exit(code)
        }
    }

    /// The exit code and the line to print for an error (nil: nothing to print).
    static func classify(_ error: any Error) -> (Int32, String?) {
        if let classified = error as? any ExitCodeClassified {
            return (classified.exitCode.rawValue, "\(classified)")
        }
        if let exit = error as? ExitCode { return (exit.rawValue, nil) }
        let parserCode = FaultlineCommand.exitCode(for: error)
        let message = FaultlineCommand.message(for: error)
        if parserCode == .success {
            return (0, FaultlineCommand.fullMessage(for: error))
        }
        if parserCode == .validationFailure {
            return (FaultlineExitCode.invalidInput.rawValue, message.isEmpty ? "invalid input" : message)
        }
        // Anything else (file system, cgroups, the host) is an infrastructure failure.
        return (FaultlineExitCode.infrastructure.rawValue, message.isEmpty ? "\(error)" : message)
    }
}
