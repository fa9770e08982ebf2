@testable import Daemon
import Foundation
import TestSupport
import Testing

@Suite struct HeartbeatTests {
    // A beat leaves exactly `heartbeats/<pid>` holding the pid and a time (no staging file beside it),
    // its age is measured from it, and remove() takes it away.
    @Test func beatsAgesAndRemoves() throws {
        let directory = temporaryStateDirectory() + "/heartbeats"
        let heartbeat = Heartbeat(directory: directory)
        heartbeat.beat()
        heartbeat.beat()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["\(getpid())"])
        let text = try String(contentsOfFile: heartbeat.path, encoding: .utf8)
        #expect(text.hasPrefix("\(getpid()) ") && text.hasSuffix("\n"))
        let age = try #require(Heartbeat.age(of: getpid(), in: directory))
        #expect(age >= 0 && age < 5)
        #expect(Warden.liveHeartbeats(in: directory) == [getpid()])
        heartbeat.remove()
        #expect(Heartbeat.age(of: getpid(), in: directory) == nil)
    }
}
