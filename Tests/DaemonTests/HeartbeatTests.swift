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

    // What a SIGKILL can leave: a dead process's beat and its half-written staging file; the warden's
    // look removes both, and a live process's staging file is neither counted nor removed.
    @Test func wardenRemovesWhatDeadProcessesLeft() throws {
        let directory = temporaryStateDirectory() + "/heartbeats"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let dead = Int32.max - 7
        for name in ["\(dead)", "\(dead).beat", "\(getpid()).beat", "\(getpid())", "notes.txt"] {
            FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("x".utf8))
        }
        #expect(Warden.liveHeartbeats(in: directory) == [getpid()])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["\(getpid())", "\(getpid()).beat", "notes.txt"].sorted())
    }
}
