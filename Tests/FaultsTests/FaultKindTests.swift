import Foundation
import DockerEngine
@testable import Faults
import TestSupport
import Testing

@Suite struct FaultKindTests {
    // stop: the container stops; the revert starts it; a second revert finds it running.
    @Test func stopAndStartAgain() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "db"))
        let prepared = try await StopFault(graceSeconds: 1).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(try await fake.inspectContainer("c1").state.running == false)
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("already running"))
    }

    // kill with a window starts the container again; without, there is nothing to revert.
    @Test func killPlans() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "w"))
        let target = try await fake.inspectContainer("c1")
        #expect(try await KillFault(signal: "SIGTERM", startAgainAfterWindow: false).prepare(target, in: fake.environment).revert == .nothing)
        #expect(try await KillFault(signal: "SIGKILL", startAgainAfterWindow: true).prepare(target, in: fake.environment).revert
                == .startAgain(StartAgainStep(containerID: "c1")))
    }

    // A Swarm task's container is never started again after a stop or a windowed kill: Swarm runs
    // a replacement, and the old one started beside it would run outside the service. A restart in
    // place is refused (it would leave two).
    @Test func swarmTasksAreLeftToSwarm() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "t1", name: "web.2.abc", labels: ["com.docker.swarm.service.name": "web"]))
        let target = try await fake.inspectContainer("t1")
        let stop = try await StopFault(graceSeconds: 0).prepare(target, in: fake.environment)
        #expect(stop.revert == .startAgain(StartAgainStep(containerID: "t1", swarmService: "web")))
        try await stop.inject(fake.environment)
        #expect(try await stop.revert.apply(in: fake.environment) == .replacedBySwarm(service: "web"))
        #expect(!fake.calls.contains("start t1"), "\(fake.calls)")
        #expect(try await fake.inspectContainer("t1").state.running == false)
        #expect(RevertOutcome.replacedBySwarm(service: "web").description == "left to Swarm (service web replaces the task)")
        fake.add(FakeEngine.details(id: "t2", name: "web.3.def", labels: ["com.docker.swarm.service.name": "web"]))
        let kill = try await KillFault(signal: "SIGKILL", startAgainAfterWindow: true).prepare(try await fake.inspectContainer("t2"), in: fake.environment)
        #expect(kill.revert == .startAgain(StartAgainStep(containerID: "t2", swarmService: "web")))
        await #expect(throws: FaultError.self) {
            _ = try await RestartFault().prepare(try await fake.inspectContainer("t2"), in: fake.environment)
        }
        do {
            _ = try await RestartFault().prepare(try await fake.inspectContainer("t2"), in: fake.environment)
        } catch {
            #expect("\(error)".contains("a task of Swarm service web") && "\(error)".contains("kill it instead"), "\(error)")
        }
        // A ledger written before the field existed reads as a plain container's step.
        let old = try JSONDecoder().decode(StartAgainStep.self, from: Data(#"{"containerID":"c1"}"#.utf8))
        #expect(old == StartAgainStep(containerID: "c1"))
    }

    // Reverting a vanished container reports it gone instead of failing.
    @Test func revertOfGoneContainer() async throws {
        let fake = FakeEngine()
        fake.fail("unpause", with: FakeEngine.notFound("c9"))
        #expect(try await RevertPlan.unpause(UnpauseStep(containerID: "c9")).apply(in: fake.environment) == .targetGone)
        #expect(try await RevertPlan.cgroup(CgroupRestoreStep(containerID: "c9", startedAt: "x", writes: [])).apply(in: fake.environment) == .targetGone)
    }

    // A paused or stopped target is refused with the reason.
    @Test func refusesWrongState() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "p", name: "frozen", paused: true))
        fake.add(FakeEngine.details(id: "s", name: "down", running: false))
        for id in ["p", "s"] {
            let target = try await fake.inspectContainer(id)
            do {
                _ = try await PauseFault().prepare(target, in: fake.environment)
                Issue.record("prepare accepted \(id)")
            } catch let error as FaultError {
                #expect(error.description.contains(id == "p" ? "it is paused" : "not running (state exited)"))
                #expect(error.exitCode == .invalidInput)
            }
        }
    }
}
