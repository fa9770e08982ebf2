import DockerEngine
@testable import Faults
import Foundation
import TestSupport
import Testing

/// Every fault kind against the real engine: the state during the window, and exactly the
/// state before after the revert (run state, HostConfig, networks, live cgroup values).
@Suite(.serialized) struct FaultIntegrationTests {
    struct Harness {
        let engine: DockerEngineClient
        let injector: FaultInjector
        let ledger: FaultLedger
    }

    func harness() async throws -> Harness {
        let engine = try await TestEngine.client()
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let injector = FaultInjector(environment: .live(engine: engine, logger: TestEngine.logger), ledger: ledger)
        return Harness(engine: engine, injector: injector, ledger: ledger)
    }

    /// Injects, checks `during`, reverts, and checks the container is exactly as before.
    func roundTrip(_ action: some FaultAction, spec: TestContainerSpec, ignoreRunIdentity: Bool = false,
                   during: @escaping @Sendable (ContainerDetails, ContainerSnapshot) async throws -> Void) async throws {
        let h = try await harness()
        try await withTestContainer(spec, engine: h.engine) { container in
            let before = try await ContainerSnapshot.take(container.id, engine: h.engine)
            let fault = try await h.injector.inject(action, on: container, window: .seconds(30))
            try await during(try await h.engine.inspectContainer(container.id), try await ContainerSnapshot.take(container.id, engine: h.engine))
            let report = await h.injector.revert(fault)
            #expect(try report.result.get() == .restored)
            let after = try await ContainerSnapshot.take(container.id, engine: h.engine)
            #expect(after == before, "before: \(before)\nafter: \(after)")
            #expect(try h.ledger.openEntries().isEmpty)
            _ = ignoreRunIdentity
        }
    }

    // pause: Paused during the window, running and unpaused after.
    @Test func pause() async throws {
        try await roundTrip(PauseFault(), spec: .init(purpose: "f-pause")) { details, _ in
            #expect(details.state.paused)
        }
    }

    // stop: not running during, running after (a new run of the same container).
    @Test func stop() async throws {
        try await roundTrip(StopFault(graceSeconds: 0), spec: .init(purpose: "f-stop")) { details, _ in
            #expect(!details.state.running)
        }
    }

    // cpu on a container without limits: the live quota is 0.2 core; HostConfig never changes.
    @Test func cpuWithoutOwnLimit() async throws {
        try await roundTrip(CPUFault(cpus: 0.2), spec: .init(purpose: "f-cpu")) { details, snapshot in
            #expect(snapshot.cgroupValues["cpu.cfs_quota_us"] == "20000")
            #expect(details.hostConfig.cpuQuota == 0 && (details.hostConfig.nanoCpus ?? 0) == 0)
        }
    }

    // cpu on a container with its own --cpus 0.5: limited to 0.2 during, back to 0.5 after.
    @Test func cpuWithOwnLimit() async throws {
        try await roundTrip(CPUFault(cpus: 0.2), spec: .init(purpose: "f-cpu-own", nanoCpus: 500_000_000)) { details, snapshot in
            #expect(snapshot.cgroupValues["cpu.cfs_quota_us"] == "20000")
            #expect(details.hostConfig.nanoCpus == 500_000_000)
        }
    }

    // memory: 64 MiB (and memory+swap) during; the unlimited original after; HostConfig untouched.
    @Test func memory() async throws {
        try await roundTrip(MemoryFault(bytes: 64 << 20), spec: .init(purpose: "f-mem")) { details, snapshot in
            #expect(snapshot.cgroupValues["memory.limit_in_bytes"] == String(64 << 20))
            #expect(details.hostConfig.memory == 0)
        }
    }

    // memory pressure is real: a process allocating past the limit is OOM-killed during the window.
    @Test func memoryLimitBites() async throws {
        let h = try await harness()
        try await withTestContainer(.init(purpose: "f-mem-oom"), engine: h.engine) { container in
            let fault = try await h.injector.inject(MemoryFault(bytes: 16 << 20), on: container, window: .seconds(30))
            // Hold ~64 MiB in the shell's memory: far past the 16 MiB limit.
            let hog = try await h.engine.exec(container.id, ["/bin/sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo ${#x}"])
            #expect(hog.exitCode != 0 || hog.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "67108864")
            _ = await h.injector.revert(fault)
            let free = try await h.engine.exec(container.id, ["/bin/sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo ${#x}"])
            #expect(free.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "67108864")
        }
    }

    // partition: off every network during; back on with the same aliases and static address after.
    @Test func partition() async throws {
        let engine = try await TestEngine.client()
        try await withTestNetwork(engine: engine, subnet: "10.251.73.0/24") { network in
            let spec = TestContainerSpec(purpose: "f-part", networks: [network: ["svc-a", "svc-b"]], staticIPv4: [network: "10.251.73.20"])
            try await roundTrip(PartitionFault(), spec: spec) { details, _ in
                #expect((details.networkSettings.networks ?? [:]).isEmpty)
            }
        }
    }

    // restart: a new run (StartedAt changes), the entry closes as already running.
    @Test func restart() async throws {
        let h = try await harness()
        try await withTestContainer(.init(purpose: "f-restart"), engine: h.engine) { container in
            let fault = try await h.injector.inject(RestartFault(graceSeconds: 0), on: container, window: nil)
            let after = try await h.engine.inspectContainer(container.id).state
            #expect(after.running && after.startedAt != container.state.startedAt)
            #expect(try await h.injector.revert(fault).result.get() == .alreadyClear("already running"))
        }
    }

    // kill with a window: down during, started again by the revert.
    @Test func killWithWindow() async throws {
        let h = try await harness()
        try await withTestContainer(.init(purpose: "f-kill"), engine: h.engine) { container in
            let fault = try await h.injector.inject(KillFault(signal: "SIGKILL", startAgainAfterWindow: true), on: container, window: .seconds(5))
            #expect(try await h.engine.inspectContainer(container.id).state.running == false)
            #expect(try await h.injector.revert(fault).result.get() == .restored)
            #expect(try await h.engine.inspectContainer(container.id).state.running)
        }
    }

    // cpu-hog: one worker at 50 % inside the container's cgroup uses about half a CPU there
    // (cpuacct, ±0.25); afterwards no process of it is left and the container is as before.
    @Test func cpuHog() async throws {
        try await roundTrip(CPUHogParameters(workers: 1, load: 50).action(hasWindow: true), spec: .init(purpose: "f-cpuhog")) { details, snapshot in
            #expect(snapshot.processes.contains { $0.hasPrefix("stress-ng --cpu 1 --cpu-load 50") })
            let usage = try HostCgroups().directory(controller: .cpu, pid: details.state.pid).path.replacingOccurrences(of: "/cpu/", with: "/cpuacct/") + "/cpuacct.usage"
            let first = try #require(Double(try HostCgroups().read(usage)))
            try await Task.sleep(for: .seconds(1))
            let used = (try #require(Double(try HostCgroups().read(usage))) - first) / 1e9
            #expect(abs(used - 0.5) <= 0.25, "\(used) CPU-seconds in 1 s")
        }
    }

    // memory-hog: 64 MiB allocated and touched inside the container's memory cgroup (its usage
    // grows by at least 60 MiB); afterwards freed, no process of it left, the container as before.
    @Test func memoryHog() async throws {
        let h = try await harness()
        try await withTestContainer(.init(purpose: "f-memhog", memory: 256 << 20), engine: h.engine) { container in
            let before = try await ContainerSnapshot.take(container.id, engine: h.engine)
            let usageFile = try HostCgroups().directory(controller: .memory, pid: container.state.pid).file("memory.usage_in_bytes")
            let idle = try #require(Int64(try HostCgroups().read(usageFile)))
            let fault = try await h.injector.inject(MemoryHogParameters(size: 64 << 20).action(hasWindow: true), on: container, window: .seconds(30))
            var grown: Int64 = 0
            let deadline = ContinuousClock.now + .seconds(5)
            while grown < 60 << 20 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                grown = try #require(Int64(try HostCgroups().read(usageFile))) - idle
            }
            #expect(grown >= 60 << 20, "usage grew by \(grown) bytes")
            #expect(try await h.injector.revert(fault).result.get() == .restored)
            let after = try await ContainerSnapshot.take(container.id, engine: h.engine)
            #expect(after == before, "before: \(before)\nafter: \(after)")
            #expect(try h.ledger.openEntries().isEmpty)
        }
    }

    // memory-hog oom: past a 64 MiB limit, so the OOM killer acts in the container (on the hog, the
    // largest process); the revert reports it, and the container's main process runs on.
    @Test func memoryHogSeeksTheOOMKiller() async throws {
        let h = try await harness()
        try await withTestContainer(.init(purpose: "f-oom", memory: 64 << 20), engine: h.engine) { container in
            let counts = try HostCgroups().directory(controller: .memory, pid: container.state.pid).file("memory.oom_control")
            func kills() throws -> Int { OOMWatch.kills(in: try HostCgroups().read(counts)) ?? -1 }
            #expect(try kills() == 0)
            let fault = try await h.injector.inject(MemoryHogParameters(oom: true).action(hasWindow: true), on: container, window: .seconds(30))
            let deadline = ContinuousClock.now + .seconds(10)
            while try kills() == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try kills() >= 1)
            let outcome = try await h.injector.revert(fault).result.get()
            // stress-ng may have started its killed worker again by the revert (then killed: restored,
            // noting) or not (already clear, noting); either way the note tells what the OOM killer did.
            switch outcome {
            case .alreadyClear(let note), .restoredNoting(let note):
                #expect(note.contains("the OOM killer acted") && note.hasSuffix("in the container; the engine reports it running"), "\(outcome)")
            default: Issue.record("\(outcome)")
            }
            let after = try await h.engine.inspectContainer(container.id)
            #expect(after.state.running && after.state.pid == container.state.pid)
            #expect(try HostProcesses().processes(ofContainerWithMainProcess: container.state.pid).count == 1)
        }
    }

    // A memory-hog by share takes a container without a memory limit for what it is: refused, nothing started.
    @Test func memoryHogShareNeedsALimit() async throws {
        let h = try await harness()
        try await withTestContainer(.init(purpose: "f-memshare"), engine: h.engine) { container async throws in
            do {
                _ = try await h.injector.inject(MemoryHogParameters(share: 0.5).action(hasWindow: true), on: container, window: .seconds(5))
                Issue.record("a share of no limit was taken")
            } catch {
                #expect("\(error)".contains("no memory limit"), "\(error)")
            }
            #expect(try h.ledger.records().isEmpty)
            #expect(try HostProcesses().processes(ofContainerWithMainProcess: container.state.pid).count == 1)
        }
    }

    // disk-fill: a 64 MiB tmpfs from the host bound at /data (never this machine's own disk) is
    // filled until 8 MiB are free (±1 MiB); the revert removes the one file, also once the container
    // stopped (through the mount's host path); a directory through a symbolic link is refused.
    @Test func diskFill() async throws {
        let h = try await harness()
        try await withHostTmpfs(size: "64m") { directory in
            let spec = TestContainerSpec(purpose: "f-fill", extraBinds: ["\(directory):/data"])
            try await withTestContainer(spec, engine: h.engine) { container in
                let files = HostContainerFiles()
                let before = try files.space(of: directory)
                let fault = try await h.injector.inject(DiskFillFault(path: "/data", remaining: 8 << 20), on: container, window: .seconds(30))
                let during = try files.space(of: directory)
                #expect(abs(during.available - (8 << 20)) <= 1 << 20, "\(during.available) bytes free during the fill")
                #expect(try await h.injector.revert(fault).result.get() == .restored)
                #expect(abs(try files.space(of: directory).available - before.available) <= 64 << 10)
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)

                let again = try await h.injector.inject(DiskFillFault(path: "/data", used: 0.5), on: container, window: .seconds(30))
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 1)
                _ = try await h.engine.stopContainer(container.id, timeout: 0)
                #expect(try await h.injector.revert(again).result.get() == .restored)
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
                #expect(try h.ledger.openEntries().isEmpty)

                _ = try await h.engine.startContainer(container.id)
                try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: "/etc")
                let running = try await h.engine.inspectContainer(container.id)
                await #expect { _ = try await h.injector.inject(DiskFillFault(path: "/data/link", remaining: 0), on: running, window: .seconds(5)) } throws: {
                    "\($0)".contains("symbolic link")
                }
            }
        }
    }

    // io-limit: 8 MiB written with direct IO into the writable layer take ~2 s at 4 MiB/s (and
    // ~0 s before); the revert leaves the blkio files as they were (the snapshot compares them).
    @Test func ioLimit() async throws {
        let spec = TestContainerSpec(purpose: "f-iolimit")
        let action = IOLimitParameters(path: "/", limits: IOLimits(writeBytes: 4 << 20)).action(hasWindow: true)
        try await roundTrip(action, spec: spec) { details, snapshot in
            #expect(snapshot.cgroupValues["blkio.throttle.write_bps_device"]?.hasSuffix(" 4194304") == true)
            let engine = try await TestEngine.client()
            let started = ContinuousClock.now
            let written = try await engine.exec(details.id, ["/bin/dd", "if=/dev/zero", "of=/f", "bs=1M", "count=8", "oflag=direct"])
            let took = (ContinuousClock.now - started).seconds
            #expect(written.exitCode == 0, "\(written.stderr)")
            #expect(took >= 1.5 && took <= 3.5, "8 MiB at 4 MiB/s took \(took) s")
        }
    }

    // io-hog: direct writes under the writable layer, charged to the container's blkio cgroup
    // (≥ 8 MiB within 3 s); the revert kills the hog and removes its scratch directory.
    @Test func ioHog() async throws {
        let h = try await harness()
        try await withTestContainer(.init(purpose: "f-iohog"), engine: h.engine) { container in
            let before = try await ContainerSnapshot.take(container.id, engine: h.engine)
            let serviced = try HostCgroups().directory(controller: .blkio, pid: container.state.pid).file("blkio.throttle.io_service_bytes")
            func written() throws -> Int64 {
                try HostCgroups().read(serviced).split(separator: "\n").filter { $0.contains(" Write ") }.compactMap { $0.split(separator: " ").last.flatMap { Int64($0) } }.reduce(0, +)
            }
            let idle = try written()
            let fault = try await h.injector.inject(IOHogFault(path: "/", workers: 1, size: 16 << 20), on: container, window: .seconds(30))
            let root = "/proc/\(container.state.pid)/root/"
            let scratch = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix(".faultline-io-") }
            #expect(scratch.count == 1)
            let deadline = ContinuousClock.now + .seconds(3)
            while try written() - idle < 8 << 20 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            let total = try written() - idle
            #expect(total >= 8 << 20, "\(total) bytes written")
            #expect(try await h.injector.revert(fault).result.get() == .restored)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix(".faultline-io-") }.isEmpty)
            let after = try await ContainerSnapshot.take(container.id, engine: h.engine)
            #expect(after == before, "before: \(before)\nafter: \(after)")
            #expect(try h.ledger.openEntries().isEmpty)
        }
    }

    // A writer that takes some of the space between the measure and the allocation (asked here as
    // 2 MiB more than is free): the fill takes what is left, the filesystem is full as asked, and
    // the revert gives back exactly what was free.
    @Test func diskFillTakesWhatAWriterLeft() async throws {
        try await withHostTmpfs(size: "8m") { directory in
            let files = HostContainerFiles()
            let free = try files.space(of: directory).available
            try files.fill(directory + "/.faultline-fill-race", bytes: free + (2 << 20))
            #expect(try files.space(of: directory).available < 1 << 20)
            #expect(try files.remove(directory + "/.faultline-fill-race"))
            #expect(try files.space(of: directory).available == free)
        }
    }

    // A fill of the filesystem that holds the ledger (here: the ledger kept in the container's
    // own writable layer, on this machine's disk) is refused before anything is recorded or written.
    @Test func diskFillSparesTheLedgersFilesystem() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "f-fill-ledger"), engine: engine) { container async throws in
            let layer = try #require(container.hostPath(of: "/"))
            let ledger = try FaultLedger(stateDirectory: layer + "/faultline-state")
            let injector = FaultInjector(environment: .live(engine: engine, logger: TestEngine.logger), ledger: ledger)
            // Were it not refused, the fill would take only 2 MiB of this machine's disk.
            let remaining = try HostContainerFiles().space(of: layer).available - (2 << 20)
            await #expect { _ = try await injector.inject(DiskFillFault(path: "/", remaining: remaining), on: container, window: .seconds(5)) } throws: {
                "\($0)".contains("shares a filesystem with faultline's ledger (\(layer)/faultline-state)")
            }
            #expect(try ledger.records().isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: layer).filter { $0.hasPrefix(".faultline-") }.isEmpty)
        }
    }

    // process-kill: the matching processes in the container's cgroup end, its main process and
    // the container run on; a pattern matching the main process is refused with nothing signalled.
    @Test func processKill() async throws {
        let h = try await harness()
        let spec = TestContainerSpec(purpose: "f-pkill", command: ["/bin/sh", "-c", "for n in 1 2; do /bin/sleep 30$n & done; while :; do /bin/sleep 1; done"])
        try await withTestContainer(spec, engine: h.engine) { container in
            let processes = HostProcesses()
            func sleepers() throws -> [String] {
                try processes.processes(ofContainerWithMainProcess: container.state.pid).filter { !$0.isMain }.map(\.commandLine).filter { $0.hasPrefix("/bin/sleep 30") }.sorted()
            }
            // A child the shell has forked but not yet exec'd carries the shell's command line, so
            // the wait is for both sleeps to have exec'd, not for two matching lines.
            let deadline = ContinuousClock.now + .seconds(5)
            while try sleepers() != ["/bin/sleep 301", "/bin/sleep 302"] && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try sleepers() == ["/bin/sleep 301", "/bin/sleep 302"])
            let main = try #require(try processes.processes(ofContainerWithMainProcess: container.state.pid).first(where: \.isMain))
            #expect(main.commandLine.hasPrefix("/bin/sh -c"))

            await #expect(throws: FaultError.self) { _ = try await h.injector.inject(ProcessKillFault(pattern: "while :"), on: container, window: nil) }
            #expect(try sleepers().count == 2 && h.ledger.records().isEmpty)

            let fault = try await h.injector.inject(ProcessKillFault(pattern: "sleep 30[12]"), on: container, window: nil)
            let gone = ContinuousClock.now + .seconds(5)
            while try !sleepers().isEmpty && ContinuousClock.now < gone { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try sleepers().isEmpty)
            let after = try await h.engine.inspectContainer(container.id).state
            #expect(after.running && after.pid == container.state.pid)
            #expect(try await h.injector.revert(fault).result.get() == .nothingToRevert)
            #expect(try h.ledger.openEntries().isEmpty)
        }
    }

    // A container restarted during a cpu window lost the fault; the revert writes nothing.
    @Test func cpuRevertAfterRestart() async throws {
        let h = try await harness()
        try await withTestContainer(.init(purpose: "f-cpu-rs"), engine: h.engine) { container in
            let fault = try await h.injector.inject(CPUFault(cpus: 0.3), on: container, window: .seconds(30))
            try await h.engine.restartContainer(container.id, timeout: 0)
            #expect(try await h.injector.revert(fault).result.get() == .alreadyClear("container restarted since the inject"))
            #expect(try await ContainerSnapshot.take(container.id, engine: h.engine).cgroupValues["cpu.cfs_quota_us"] == "-1")
        }
    }

    // A container removed mid-window: the revert reports it gone and closes the entry.
    @Test func targetRemovedMidWindow() async throws {
        let h = try await harness()
        try await withTestContainer(.init(purpose: "f-gone"), engine: h.engine) { container in
            let fault = try await h.injector.inject(PauseFault(), on: container, window: .seconds(30))
            try await h.engine.removeContainer(container.id)
            #expect(try await h.injector.revert(fault).result.get() == .targetGone)
            #expect(try h.ledger.openEntries().isEmpty)
        }
    }
}
