import DockerEngine
import Foundation
import Logging

/// The real engine the integration tests run against, and the local test image.
public enum TestEngine {
    /// Built by scripts/setup.sh: an empty image; containers bind-mount the host's binaries read-only.
    public static let image = ProcessInfo.processInfo.environment["FAULTLINE_TEST_IMAGE"] ?? "faultline-test/hostroot:1"
    public static let hostBinds = ["/usr:/usr:ro", "/lib:/lib:ro", "/lib64:/lib64:ro", "/bin:/bin:ro", "/sbin:/sbin:ro", "/etc:/etc:ro"]
    /// Every test container and network carries this label, so set-up can sweep leftovers.
    public static let testLabel = "faultline.test"

    public static var logger: Logger {
        var logger = Logger(label: "faultline.tests") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return logger
    }

    /// A client connected to the local engine (negotiated), failing loudly when there is none.
    public static func client() async throws -> DockerEngineClient {
        try await DockerEngineClient.connect(to: .local, logger: logger)
    }

    /// `fl-test-<purpose>-<random>`: unique per test run.
    public static func uniqueName(_ purpose: String) -> String {
        "fl-test-\(purpose)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
