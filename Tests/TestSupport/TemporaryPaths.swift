import Foundation
import Synchronization

/// A throw-away state directory for one test (created), removed when the test process exits.
public func temporaryStateDirectory() -> String {
    let path = temporaryPath("faultline-test-")
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A unique path in the temporary directory starting with `prefix`, not created (for tests that
/// check faultline makes it); it and everything under it are removed when the test process exits,
/// so a test that fails midway leaves nothing behind either.
public func temporaryPath(_ prefix: String) -> String {
    let path = NSTemporaryDirectory() + prefix + UUID().uuidString
    TemporaryPaths.shared.add(path)
    return path
}

/// The paths handed out, and the exit hook that removes them.
final class TemporaryPaths: Sendable {
    static let shared = TemporaryPaths()
    private let paths = Mutex<[String]>([])

    func add(_ path: String) {
        let first = paths.withLock { paths in
            paths.append(path)
            return paths.count == 1
        }
        if first { atexit { TemporaryPaths.shared.removeAll() } }
    }

    func removeAll() {
        for path in paths.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
