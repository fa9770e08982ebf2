import Foundation
import DockerEngine

/// Which containers faultline never touches: those labelled `faultline.protect` with any value but
/// an explicit no (`false`, `0`, `no`, `off`; case and surrounding spaces ignored: a typo protects
/// rather than exposes), and the container faultline itself runs in. One definition, checked by
/// target resolution, campaign selection and — for every path that injects, replay included —
/// by `FaultInjector` on the container as the engine reports it at the inject.
public enum TargetProtection {
    public static let label = "faultline.protect"
    /// The values that leave a container unprotected.
    public static let unprotectedValues: Set<String> = ["false", "0", "no", "off"]

    public static func isProtected(_ labels: [String: String]?) -> Bool {
        guard let value = labels?[label] else { return false }
        return !unprotectedValues.contains(value.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// Whether `containerID` is faultline's own container (`ownContainerID`, full id or prefix).
    public static func isOwn(_ containerID: String, ownContainerID: String?) -> Bool {
        guard let own = ownContainerID, !own.isEmpty, !containerID.isEmpty else { return false }
        return containerID.hasPrefix(own) || own.hasPrefix(containerID)
    }

    /// Why `details` must not be targeted, or nil.
    public static func refusal(for details: ContainerDetails, ownContainerID: String?) -> TargetError? {
        if isProtected(details.labels) { return .protected(name: details.name, value: details.labels[label] ?? "") }
        if isOwn(details.id, ownContainerID: ownContainerID) { return .ownContainer(name: details.name) }
        return nil
    }
}
