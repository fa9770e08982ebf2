import DockerEngine
import Foundation
@testable import Faults
import TestSupport
import Testing

@Suite struct DiskFillFaultTests {
    func fake() -> FakeEngine {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "db", pid: 77))
        fake.files.state.withLock { $0.directories[77] = ["/data"] }
        return fake
    }

    // remaining: the fill leaves exactly that free; the revert removes the one file, once.
    @Test func fillsToWhatRemainsAndRemovesTheFile() async throws {
        let fake = fake()
        let prepared = try await DiskFillFault(path: "/data", remaining: 8 << 20).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(fake.files.state.withLock { $0.space.available } == 8 << 20)
        let file = try #require(fake.files.files.keys.first)
        #expect(file.hasPrefix("/proc/77/root/data/.faultline-fill-") && fake.files.files[file] == 52 << 20)
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(fake.files.files.isEmpty && fake.files.state.withLock { $0.space.available } == 60 << 20)
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("the fill file was already gone"))
    }

    // used: the fill takes the filesystem to that share (100 MiB, 40 used → 0.9 means 50 MiB more).
    @Test func fillsToAShareUsed() async throws {
        let fake = fake()
        let prepared = try await DiskFillFault(path: "/data", used: 0.9).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(fake.files.files.values.first == Int64(Double(100 << 20) * 0.9) - (40 << 20))
    }

    // A service writing between the prepare and the fill: the fill is measured again and still
    // leaves exactly what was asked.
    @Test func measuresAgainWhenTheFilesystemChanged() async throws {
        let fake = fake()
        let prepared = try await DiskFillFault(path: "/data", remaining: 0).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        fake.files.state.withLock { $0.space = FilesystemSpace(total: $0.space.total, available: $0.space.available - (1 << 20)) }
        try await prepared.inject(fake.environment)
        #expect(fake.files.state.withLock { $0.space.available } == 0)
        #expect(fake.files.files.values.first == 59 << 20)
    }

    // Already at the mark, a directory that is not there, a stopped container: refused before anything is written.
    @Test func refusesBeforeWriting() async throws {
        let fake = fake()
        let target = try await fake.inspectContainer("c1")
        await #expect { _ = try await DiskFillFault(path: "/data", remaining: 64 << 20).prepare(target, in: fake.environment) } throws: { "\($0)".contains("already there") }
        await #expect { _ = try await DiskFillFault(path: "/data", used: 0.3).prepare(target, in: fake.environment) } throws: { "\($0)".contains("already there") }
        await #expect { _ = try await DiskFillFault(path: "/nope", remaining: 0).prepare(target, in: fake.environment) } throws: { "\($0)".contains("does not exist") }
        fake.add(FakeEngine.details(id: "c2", name: "down", running: false, pid: 0))
        await #expect { _ = try await DiskFillFault(path: "/data", remaining: 0).prepare(try await fake.inspectContainer("c2"), in: fake.environment) } throws: {
            "\($0)".contains("not running")
        }
        #expect(fake.files.files.isEmpty)
    }

    // The host path of a directory: under the deepest volume or bind mount that holds it, else in the overlay2 upper directory; nil under a tmpfs mount.
    @Test func hostPathFollowsTheMounts() throws {
        let details = try JSONDecoder().decode(ContainerDetails.self, from: Data("""
            {"Id":"c1","Name":"/db","State":{"Status":"running","Running":true,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,"Pid":7,"ExitCode":0,"StartedAt":"","FinishedAt":""},
             "Config":{},"HostConfig":{},"NetworkSettings":{},
             "Mounts":[{"Type":"volume","Name":"pg","Source":"/var/lib/docker/volumes/pg/_data","Destination":"/var/lib/postgresql"},
                       {"Type":"bind","Source":"/srv/data","Destination":"/var/lib/postgresql/data"},
                       {"Type":"tmpfs","Source":"","Destination":"/scratch"}],
             "GraphDriver":{"Name":"overlay2","Data":{"UpperDir":"/var/lib/docker/overlay2/abc/diff"}}}
            """.utf8))
        #expect(details.hostPath(of: "/var/lib/postgresql/data/base") == "/srv/data/base")
        #expect(details.hostPath(of: "/var/lib/postgresql") == "/var/lib/docker/volumes/pg/_data")
        #expect(details.hostPath(of: "/var/lib/postgresqlx") == "/var/lib/docker/overlay2/abc/diff/var/lib/postgresqlx")
        #expect(details.hostPath(of: "/scratch/x") == nil)
    }

    // The parameters: an absolute path without '..'; remaining or used, one of them; the texts read back the same.
    @Test func parameters() throws {
        #expect { _ = try DiskFillParameters.read([("path", ["data"]), ("remaining", ["1m"])]) } throws: { "\($0)".contains("absolute path") }
        #expect { _ = try DiskFillParameters.read([("path", ["/data/../etc"]), ("remaining", ["1m"])]) } throws: { "\($0)".contains("without '..'") }
        #expect { _ = try DiskFillParameters.read([("path", ["/data"])]) } throws: { "\($0)".contains("one of them") }
        let parameters = try DiskFillParameters.read([("path", ["/data"]), ("used", ["0.95"])])
        #expect(try DiskFillParameters.read(parameters.texts) == parameters)
        // Nothing left free is a size too (where a parameter allows it); a negative one is not.
        #expect(try DiskFillParameters.read([("path", ["/data"]), ("remaining", ["0"])]).remaining == 0)
        #expect(try DiskFillParameters.read([("path", ["/data"]), ("remaining", ["0m"])]).remaining == 0)
        #expect { _ = try DiskFillParameters.read([("path", ["/data"]), ("remaining", ["-1m"])]) } throws: { "\($0)".contains("invalid size") }
        #expect { _ = try MemoryHogParameters.read([("size", ["0"])]) } throws: { "\($0)".contains("invalid size") }
    }
}
