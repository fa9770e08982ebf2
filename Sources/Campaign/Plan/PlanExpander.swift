import Faults
import FaultlineSupport

/// Expands a campaign into its concrete plan: repeats with seeded jitter, random picks, chaos
/// mode — all drawn from the campaign seed, so the same seed and containers give the same plan.
public enum PlanExpander {
    /// `swarmNodes`: the Swarm nodes drain and isolate faults act on, by the name the campaign
    /// gives; `swarm`: the manager's view an isolate's `from` is turned into addresses with.
    public static func expand(_ campaign: CampaignDefinition, targets: [String: [PlannedTarget]],
                              swarmNodes: [String: PlannedTarget] = [:], swarm: SwarmView? = nil) throws(PlanError) -> CampaignPlan {
        var generator = SeededGenerator(seed: campaign.seed)
        var drafts: [(at: Duration, duration: Duration?, fault: FaultSpec, container: PlannedTarget, origin: String)] = []

        for (entryIndex, entry) in campaign.timeline.enumerated() {
            let occurrences = entry.repeatRule?.times ?? 1
            for occurrence in 0..<occurrences {
                var at = entry.at
                if let rule = entry.repeatRule {
                    at = at + rule.every * occurrence
                    if rule.jitter > .zero {
                        let shift = generator.duration(in: .zero...(rule.jitter * 2)) - rule.jitter
                        at = max(.zero, at + shift)
                    }
                }
                if let groups = entry.fault.groups {
                    // Each container of a group loses every container of the other groups (every
                    // container a selector matches, picks aside: a partition splits whole services).
                    for (position, group) in groups.enumerated() {
                        let others = groups.enumerated().filter { $0.offset != position }.flatMap(\.element)
                        for selector in group {
                            var spec = entry.fault.withPartition { $0 = PartitionParameters(peers: others, direction: .both) }
                            spec.groups = nil
                            spec.target = selector
                            for container in targets[selector] ?? [] {
                                drafts.append((at, entry.duration, spec, container, "timeline[\(entryIndex)]#\(occurrence + 1)"))
                            }
                        }
                    }
                    continue
                }
                // A toxic window acts on its proxy, a drain on its Swarm node: the plan names them like containers.
                let candidates: [PlannedTarget]
                switch entry.fault.kind.subject {
                case .container: candidates = targets[entry.fault.target] ?? []
                case .proxy: candidates = [PlannedTarget(id: entry.fault.target, name: entry.fault.target)]
                case .swarmNode: candidates = swarmNodes[entry.fault.target].map { [$0] } ?? []
                }
                let selector = campaign.target(named: entry.fault.target)
                for container in pick(candidates, selector?.pick ?? .all, using: &generator) {
                    drafts.append((at, entry.duration, entry.fault, container, "timeline[\(entryIndex)]#\(occurrence + 1)"))
                }
            }
        }
        if let chaos = campaign.chaos {
            let pool = Array(Set(chaos.targets.flatMap { targets[$0] ?? [] })).sorted(by: PlannedTarget.inOrder)
            for draw in 0..<chaos.count where !pool.isEmpty {
                let fault = chaos.faults[Int.random(in: 0..<chaos.faults.count, using: &generator)]
                let container = pool[Int.random(in: 0..<pool.count, using: &generator)]
                let at = generator.duration(in: chaos.start...chaos.end)
                let duration: Duration? = fault.kind.isWindowed ? generator.duration(in: chaos.minDuration...chaos.maxDuration) : nil
                var spec = fault
                spec.target = chaos.targets.first { (targets[$0] ?? []).contains(container) } ?? spec.target
                drafts.append((at, duration, spec, container, "chaos#\(draw + 1)"))
            }
        }
        drafts.sort { ($0.at, $0.container.name, $0.container.node ?? "", $0.origin) < ($1.at, $1.container.name, $1.container.node ?? "", $1.origin) }
        var faults: [PlannedFault] = []
        for (index, draft) in drafts.enumerated() {
            // Peers named by a target selector become that selector's containers, which the
            // target's own engine must know: a peer on another fleet node is refused.
            if let peers = (draft.fault.parameters as? PartitionParameters)?.peers {
                for peer in peers {
                    if let away = targets[peer]?.first(where: { $0.node != draft.container.node }) {
                        throw PlanError.peerOnOtherNode(container: draft.container.described, peer: away.described)
                    }
                }
            }
            var fault = draft.fault.withPartition { partition in
                partition.peers = partition.peers?.flatMap { peer in targets[peer].map { $0.map(\.name) } ?? [peer] }
            }
            // An isolate's agent may be a worker, which cannot ask the manager: it gets addresses.
            if let isolate = fault.parameters as? IsolateParameters, let swarm, let node = swarm.node(named: isolate.node) {
                fault.parameters = IsolateParameters(node: isolate.node, from: try SwarmNodeTargets.peers(of: isolate, on: node, in: swarm))
            }
            faults.append(PlannedFault(index: index + 1, at: draft.at, duration: draft.duration, fault: fault, container: draft.container, origin: draft.origin))
        }
        let plan = CampaignPlan(seed: campaign.seed, faults: faults, targets: targets)
        let touched = plan.containers
        guard touched.count <= campaign.settings.blastRadius else {
            throw PlanError.blastRadius(containers: touched.map(\.described), limit: campaign.settings.blastRadius)
        }
        try checkOverlaps(faults)
        return plan
    }

    /// Two faults of one kind on one container may not overlap (the second could not apply, and
    /// the first one's revert would end both).
    static func checkOverlaps(_ faults: [PlannedFault]) throws(PlanError) {
        var lastEnd: [String: (end: Duration, at: Duration)] = [:]
        for fault in faults {
            let key = "\(fault.container.node ?? "")|\(fault.container.id)|\(fault.fault.kind.rawValue)"
            if let previous = lastEnd[key], fault.at < previous.end {
                throw PlanError.overlapping(kind: fault.fault.kind.rawValue, container: fault.container.described, first: previous.at, second: fault.at)
            }
            // One-shot faults on a container take a moment: keep a small gap.
            lastEnd[key] = (max(fault.end, fault.at + .milliseconds(1)), fault.at)
        }
    }

    static func pick(_ candidates: [PlannedTarget], _ pick: TargetSelector.Pick, using generator: inout SeededGenerator) -> [PlannedTarget] {
        if pick == .all { return candidates }
        return Array(candidates.shuffled(using: &generator).prefix(pick.count(of: candidates.count))).sorted(by: PlannedTarget.inOrder)
    }
}
