@testable import Campaign
import DockerEngine
import Foundation
import Synchronization
import Testing

/// The reschedule watch finds the task a fault ended by its container and times the task Swarm
/// runs in its place, by its own polls and by the manager's task timestamps.
@Suite struct RescheduleWatchTests {
    /// A manager whose task list changes with each `GET /tasks`: the old task runs, then fails,
    /// then a replacement in the same slot (on another node) is pending, then runs.
    final class ReschedulingManager: SwarmManaging {
        let asked = Mutex(0)
        let steps: [[SwarmTask]]
        init(_ steps: [[SwarmTask]]) { self.steps = steps }
        func swarmServices() async throws(DockerEngineError) -> [SwarmService] {
            [SwarmService(id: "svc1", name: "shop_web", runningTasks: 3, desiredTasks: 3)]
        }
        func swarmNodeID() async throws(DockerEngineError) -> String? { nil }
        func swarmNodes() async throws(DockerEngineError) -> [SwarmNode] {
            [SwarmNode(id: "n1id", hostname: "node1"), SwarmNode(id: "n2id", hostname: "node2")]
        }
        func swarmTasks(service: String?) async throws(DockerEngineError) -> [SwarmTask] {
            let step = asked.withLock { count in
                defer { count += 1 }
                return min(count, steps.count - 1)
            }
            return steps[step].filter { service == nil || $0.serviceID == service }
        }
    }

    static func task(_ id: String, slot: Int?, node: String, state: String, at: String, container: String?) -> SwarmTask {
        SwarmTask(id: id, serviceID: "svc1", slot: slot, nodeID: node, state: state, stateSince: at, containerID: container)
    }

    static let other = task("t9", slot: 2, node: "n1id", state: "running", at: "2026-12-05T10:00:00.000000000Z", container: "c9")

    @Test func timesTheReplacementBothWays() async throws {
        let running = Self.task("t1", slot: 1, node: "n1id", state: "running", at: "2026-12-05T10:00:00.000000000Z", container: "c1")
        let failed = Self.task("t1", slot: 1, node: "n1id", state: "failed", at: "2026-12-05T10:00:01.250000000Z", container: "c1")
        let pending = Self.task("t2", slot: 1, node: "n2id", state: "pending", at: "2026-12-05T10:00:01.300000000Z", container: nil)
        let replaced = Self.task("t2", slot: 1, node: "n2id", state: "running", at: "2026-12-05T10:00:06.750123456Z", container: "c2")
        let manager = ReschedulingManager([[running, Self.other], [running, Self.other], [failed, pending, Self.other], [failed, replaced, Self.other]])
        let watch = RescheduleWatch(manager: manager, interval: .milliseconds(5), limit: .seconds(5))
        let reschedule = try #require(await watch.watch(containerID: "c1", since: .now))
        #expect(reschedule.service == "shop_web" && reschedule.slot == 1 && reschedule.oldTask == "t1")
        #expect(reschedule.newTask == "t2" && reschedule.node == "node2")
        #expect(reschedule.swarmAfter == .milliseconds(5500))
        #expect(reschedule.seenAfter != nil)
        #expect(reschedule.described.contains("service shop_web slot 1 rescheduled on node2"))
        #expect(reschedule.described.contains("Swarm's task records: 5.5s"))
    }

    // A container that is no task gives nothing; a task never replaced says how long it waited.
    @Test func reportsNoTaskAndNoReplacement() async throws {
        let manager = ReschedulingManager([[Self.other]])
        #expect(await RescheduleWatch(manager: manager, interval: .milliseconds(5), limit: .seconds(1)).watch(containerID: "c1", since: .now) == nil)

        let failed = Self.task("t1", slot: 1, node: "n1id", state: "failed", at: "2026-12-05T10:00:01Z", container: "c1")
        let lone = ReschedulingManager([[failed, Self.other]])
        let reschedule = try #require(await RescheduleWatch(manager: lone, interval: .milliseconds(20), limit: .milliseconds(200))
            .watch(containerID: "c1", since: .now))
        #expect(reschedule.newTask == nil && reschedule.seenAfter == nil)
        #expect(try #require(reschedule.waited) >= .milliseconds(200))
        #expect(reschedule.described.contains("no replacement task ran within"))
    }

    // A global service's task is replaced on its own node, never by another node's task.
    @Test func aGlobalTaskIsReplacedOnItsNode() {
        let old = Self.task("g1", slot: nil, node: "n1id", state: "failed", at: "t", container: "c1")
        #expect(RescheduleWatch.replaces(Self.task("g2", slot: nil, node: "n1id", state: "running", at: "t", container: "c2"), old))
        #expect(!RescheduleWatch.replaces(Self.task("g3", slot: nil, node: "n2id", state: "running", at: "t", container: "c3"), old))
        #expect(!RescheduleWatch.replaces(old, old))
    }

    // The window keeps the figure through the journal's coding; summary.md and report.json show it.
    @Test func reportsShowTheFigure() throws {
        var window = FaultWindow(index: 2, kind: .kill, summary: "kill SIGKILL", selector: "web", container: "shop_web.1.t1", node: "node1", injectAt: .seconds(3))
        var reschedule = Reschedule(service: "shop_web", slot: 1, oldTask: "t1")
        reschedule.newTask = "t2"
        reschedule.node = "node2"
        reschedule.seenAfter = .milliseconds(5900)
        reschedule.swarmAfter = .milliseconds(5500)
        window.reschedule = reschedule
        let decoded = try JSONDecoder().decode(FaultWindow.self, from: try JSONEncoder().encode(window))
        #expect(decoded.reschedule == reschedule)
        var record = RunRecord()
        record.windows = [window]
        let markdown = MarkdownReport.render(record, figures: [])
        #expect(markdown.contains("### Swarm reschedules") && markdown.contains("| 2 | shop_web | 1 | node2 | 5.9s | 5.5s |"), "\(markdown)")
        let json = JSONReport.render(record, figures: [])
        #expect(json.contains("\"seen_after_ms\" : 5900") && json.contains("\"swarm_after_ms\" : 5500") && json.contains("\"node\" : \"node2\""), "\(json)")
    }
}
