/// A directory inside the container as a fault parameter (disk-fill, io-hog, io-limit): an
/// absolute path that never climbs with `..`.
enum ContainerDirectoryParameter {
    /// The path under `key`, else `fallback`; a path that is not absolute, or climbs, is refused.
    static func read(_ input: ParameterInput, key: String = "path", fallback: String = "/") throws(ParameterError) -> String {
        let path = input.text(key) ?? fallback
        guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
            throw ParameterError(key: key, "\(parameter: key) must be an absolute path inside the container without '..', got '\(path)'")
        }
        return path
    }
}
