import DockerEngine
import Foundation
@testable import Faults
import TestSupport
import Testing

@Suite struct IOFaultTests {
    func fake(version: CgroupDirectory.Version = .v1) -> FakeEngine {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "db", pid: 77))
        fake.state.withLock { $0.cgroupVersion = version }
        fake.files.state.withLock {
            $0.directories[77] = ["/", "/data", "/scratch"]
            $0.disks = ["/proc/77/root/data": "254:0"]
        }
        fake.processes.state.withLock { $0.cgroups[77] = ["/fake/cpu/77", "/fake/blkio/77"] }
        for file in ["read_bps", "write_bps", "read_iops", "write_iops"] { fake.setFile("/fake/blkio/77/blkio.throttle.\(file)_device", "") }
        fake.setFile("/fake/blkio/77/io.max", "")
        return fake
    }

    // v1: one line per given direction for the directory's disk; the revert clears exactly those
    // lines (a disk without a line reads as `0`), then finds them clear.
    @Test func limitsWriteTheDisksLinesAndClearThem() async throws {
        let fake = fake()
        let prepared = try await IOLimitFault(path: "/data", limits: IOLimits(writeBytes: 1 << 20, readOperations: 50))
            .prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(fake.file("/fake/blkio/77/blkio.throttle.write_bps_device") == "254:0 1048576")
        #expect(fake.file("/fake/blkio/77/blkio.throttle.read_iops_device") == "254:0 50")
        #expect(fake.file("/fake/blkio/77/blkio.throttle.read_bps_device") == "")
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(fake.file("/fake/blkio/77/blkio.throttle.write_bps_device") == "254:0 0")
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("cgroup already has its original values"))
    }

    // An existing throttle on the disk is written back as it was; a looser one than it is refused.
    @Test func anExistingThrottleIsKeptAndNeverLoosened() async throws {
        let fake = fake()
        fake.setFile("/fake/blkio/77/blkio.throttle.write_bps_device", "8:0 4096\n254:0 2097152")
        let target = try await fake.inspectContainer("c1")
        await #expect { _ = try await IOLimitFault(path: "/data", limits: IOLimits(writeBytes: 4 << 20)).prepare(target, in: fake.environment) } throws: {
            "\($0)".contains("already throttled to 2097152")
        }
        let prepared = try await IOLimitFault(path: "/data", limits: IOLimits(writeBytes: 1 << 20)).prepare(target, in: fake.environment)
        guard case .cgroup(let step) = prepared.revert else { Issue.record("\(prepared.revert)"); return }
        #expect(step.writes.map(\.value) == ["254:0 2097152"])
    }

    // v2: one io.max line that keeps the disk's other settings and changes the given ones.
    @Test func limitsOnCgroupV2() async throws {
        let fake = fake(version: .v2)
        fake.setFile("/fake/blkio/77/io.max", "254:0 rbps=max wbps=max riops=200 wiops=max")
        let prepared = try await IOLimitFault(path: "/data", limits: IOLimits(writeBytes: 1 << 20, readOperations: 100))
            .prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(fake.file("/fake/blkio/77/io.max") == "254:0 rbps=max wbps=1048576 riops=100 wiops=max")
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(fake.file("/fake/blkio/77/io.max") == "254:0 rbps=max wbps=max riops=200 wiops=max")
    }

    // A directory without a disk (a tmpfs) or not there: refused with nothing written.
    @Test func limitRefusals() async throws {
        let fake = fake()
        let target = try await fake.inspectContainer("c1")
        await #expect { _ = try await IOLimitFault(path: "/scratch", limits: IOLimits(readBytes: 4096)).prepare(target, in: fake.environment) } throws: {
            "\($0)".contains("without a disk")
        }
        await #expect { _ = try await IOLimitFault(path: "/nope", limits: IOLimits(readBytes: 4096)).prepare(target, in: fake.environment) } throws: {
            "\($0)".contains("does not exist")
        }
        #expect(!fake.calls.contains { $0.hasPrefix("write") })
    }

    // Parameters: at least one limit, whole operations, sizes not below 4 KiB, a path without '..'; texts read back the same.
    @Test func limitParameters() throws {
        #expect { _ = try IOLimitParameters.read([]) } throws: { "\($0)".contains("at least one") }
        #expect { _ = try IOLimitParameters.read([("read_iops", ["1.5"])]) } throws: { "\($0)".contains("whole number") }
        #expect { _ = try IOLimitParameters.read([("write_bps", ["-1m"])]) } throws: { _ in true }
        #expect { _ = try IOLimitParameters.read([("write_bps", ["1k"])]) } throws: { "\($0)".contains("at least 4KiB") }
        #expect { _ = try IOLimitParameters.read([("path", ["/a/../b"]), ("write_bps", ["1m"])]) } throws: { "\($0)".contains("without '..'") }
        let parameters = try IOLimitParameters.read([("path", ["/data"]), ("write_bps", ["1m"]), ("read_iops", ["20"])])
        #expect(parameters == IOLimitParameters(path: "/data", limits: IOLimits(writeBytes: 1 << 20, readOperations: 20)))
        #expect(try IOLimitParameters.read(parameters.texts) == parameters)
        #expect(parameters.summary == "io-limit /data read 20 IO/s, write 1MiB/s")
    }

    // io-hog: stress-ng's hdd stressor writes under a marked scratch directory made at the inject;
    // the revert kills it and removes the directory, then finds both gone.
    @Test func hogWritesUnderAScratchDirectoryThatTheRevertRemoves() async throws {
        let fake = fake()
        let prepared = try await IOHogFault(path: "/data", workers: 2, size: 8 << 20)
            .prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(20))
        guard case .steps(let steps) = prepared.revert, steps.count == 2, case .hog(let step) = steps[0], case .fillFile(let scratch) = steps[1] else {
            Issue.record("\(prepared.revert)")
            return
        }
        #expect(scratch.directory == "/data" && scratch.fileName.hasPrefix(".faultline-io-"))
        try await prepared.inject(fake.environment)
        let made = "/proc/77/root/data/" + scratch.fileName
        #expect(fake.files.state.withLock { $0.madeDirectories } == [made])
        let command = try #require(fake.processes.hogs[step.token]?.command)
        #expect(command == ["stress-ng", "--hdd", "2", "--hdd-bytes", String(8 << 20), "--temp-path", made, "--hdd-opts", "direct",
                            "--timeout", "25s", "--quiet", "--keep-name"])
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(fake.files.state.withLock { $0.madeDirectories }.isEmpty && fake.processes.hogs.isEmpty)
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("io-hog /data 2 workers × 8MiB had already ended"))
        // The plan reads back from the ledger as it was written.
        let encoded = try JSONEncoder().encode(prepared.revert)
        #expect(try JSONDecoder().decode(RevertPlan.self, from: encoded) == prepared.revert)
    }

    // Files that would not leave 5% of the filesystem free, or direct IO on a filesystem without a disk: refused, nothing made.
    @Test func hogRefusals() async throws {
        let fake = fake()
        let target = try await fake.inspectContainer("c1")
        // 60 MiB free of 100: 2 × 28 MiB + 5 MiB spare does not fit.
        await #expect { _ = try await IOHogFault(path: "/data", workers: 2, size: 28 << 20).prepare(target, in: fake.environment, window: .seconds(5)) } throws: {
            "\($0)".contains("does not fit under /data")
        }
        await #expect { _ = try await IOHogFault(path: "/scratch", size: 1 << 20).prepare(target, in: fake.environment, window: .seconds(5)) } throws: {
            "\($0)".contains("give buffered: true")
        }
        _ = try await IOHogFault(path: "/scratch", size: 1 << 20, buffered: true).prepare(target, in: fake.environment, window: .seconds(5))
        #expect(fake.files.state.withLock { $0.madeDirectories }.isEmpty && fake.processes.hogs.isEmpty)
    }

    @Test func hogParameters() throws {
        #expect { _ = try IOHogParameters.read([("workers", ["0"])]) } throws: { _ in true }
        #expect { _ = try IOHogParameters.read([("size", ["1k"])]) } throws: { "\($0)".contains("at least 1MiB") }
        let parameters = try IOHogParameters.read([("path", ["/data"]), ("workers", ["2"]), ("buffered", ["true"])])
        #expect(parameters == IOHogParameters(path: "/data", workers: 2, size: 64 << 20, buffered: true))
        #expect(try IOHogParameters.read(parameters.texts) == parameters)
    }
}
