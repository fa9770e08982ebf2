import FaultlineSupport
@testable import Faults
import Foundation
import Synchronization

extension InterceptProxy {
    /// Runs the proxy on a thread of its own (it serves for its lifetime) and returns the port it
    /// listens on once it is bound; the in-process proxy tests start it this way.
    func startedForTests() async throws -> UInt16 {
        let bound = Mutex<UInt16?>(nil)
        let proxy = self
        Thread.detachNewThread { try? proxy.run { port in bound.withLock { $0 = port } } }
        for _ in 0..<200 {
            if let port = bound.withLock({ $0 }) { return port }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw FaultProcessError(message: "the proxy did not start")
    }
}
