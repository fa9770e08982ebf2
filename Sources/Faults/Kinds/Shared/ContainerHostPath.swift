import DockerEngine

extension ContainerDetails {
    /// `path` inside this container as a path on the engine's host: under the mount whose
    /// destination holds it (a volume or bind mount), else in the overlay2 writable layer; nil for
    /// a tmpfs or another storage driver.
    public func hostPath(of path: String) -> String? {
        func contains(_ mount: String) -> Bool { mount == "/" || path == mount || path.hasPrefix(mount + "/") }
        if let mount = (mounts ?? []).filter({ contains($0.destination) }).max(by: { $0.destination.count < $1.destination.count }) {
            guard mount.type == "bind" || mount.type == "volume", let source = mount.source, !source.isEmpty else { return nil }
            return source + path.dropFirst(mount.destination.count)
        }
        guard graphDriver?.name == "overlay2", let upper = graphDriver?.data?["UpperDir"] else { return nil }
        return upper + path
    }
}
