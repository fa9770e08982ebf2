import DockerEngine

extension SwarmTaskLabels {
    /// Whether `selector` names this task: its service (a stack's service by its short name or its
    /// full one), its stack and its slot, each only when given.
    public func matches(_ selector: TargetSelector.SwarmMatch) -> Bool {
        if let stack = selector.stack, self.stack != stack { return false }
        if let wanted = selector.service {
            let full = selector.stack.map { "\($0)_\(wanted)" }
            guard service == wanted || service == full else { return false }
        }
        if let slot = selector.slot, self.slot != slot { return false }
        return true
    }
}
