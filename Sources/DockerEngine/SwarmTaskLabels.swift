/// What the labels of a Swarm task's container say about it: the engine sets these on every
/// container it creates for a service task (`docker service create`, `docker stack deploy`).
public struct SwarmTaskLabels: Sendable, Equatable {
    public static let serviceName = "com.docker.swarm.service.name"
    public static let taskName = "com.docker.swarm.task.name"
    public static let stackNamespace = "com.docker.stack.namespace"
    /// The Swarm node the task runs on (its id).
    public static let nodeID = "com.docker.swarm.node.id"

    /// The service's full name (a stack's services are `STACK_SERVICE`).
    public let service: String
    /// The stack the service was deployed with, if any.
    public let stack: String?
    /// The replica's slot: a replicated service's task is named `SERVICE.SLOT.TASKID`; a global
    /// service's `SERVICE.NODEID.TASKID` has none.
    public let slot: Int?

    /// Nil for a container that is not a Swarm task's.
    public init?(_ labels: [String: String]) {
        guard let service = labels[Self.serviceName], !service.isEmpty else { return nil }
        self.service = service
        stack = labels[Self.stackNamespace].flatMap { $0.isEmpty ? nil : $0 }
        slot = labels[Self.taskName].flatMap { name -> Int? in
            guard name.hasPrefix(service + ".") else { return nil }
            let parts = name.dropFirst(service.count + 1).split(separator: ".")
            guard parts.count == 2, let slot = Int(parts[0]), slot > 0 else { return nil }
            return slot
        }
    }
}
