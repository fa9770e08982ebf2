import Synchronization

/// The routes a router serves, as `GET /v1/runs/:id` patterns: what tells a path the daemon does
/// not have (404) from a method a path does not take (405, with the ones it does).
final class RouteBook: Sendable {
    private let routes = Mutex<[(method: String, segments: [Substring])]>([])

    func add(_ method: String, _ pattern: String) {
        routes.withLock { $0.append((method, pattern.split(separator: "/"))) }
    }

    /// The methods some route takes on `path`, sorted; empty when no route has the path.
    func methods(for path: String) -> [String] {
        let given = path.split(separator: "/")
        let matching = routes.withLock { all in
            all.filter { route in
                route.segments.count == given.count
                    && zip(route.segments, given).allSatisfy { pattern, segment in pattern.hasPrefix(":") || pattern == segment }
            }.map(\.method)
        }
        return Set(matching).sorted()
    }
}
