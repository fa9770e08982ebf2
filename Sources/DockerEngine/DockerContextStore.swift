import Foundation

/// The engines users already keep as docker contexts (`docker context create edge-2 --docker
/// host=…`): `$DOCKER_CONFIG/contexts/meta/<id>/meta.json`, default `~/.docker`. Read, never written.
public enum DockerContextStore {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    struct Meta: Decodable {
        struct Endpoint: Decodable {
            let Host: String?
        }
        let Name: String
        let Endpoints: [String: Endpoint]
    }

    /// The directory docker keeps its configuration in.
    public static func configDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let given = environment["DOCKER_CONFIG"], !given.isEmpty { return given }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.docker"
    }

    /// The engine of context `name` (`default`, unless the store redefines it, is the local socket),
    /// over TLS with the context's files when it keeps them.
    public static func endpoint(named name: String, configDirectory: String = configDirectory()) throws(Failure) -> EngineEndpoint {
        let metaRoot = configDirectory + "/contexts/meta"
        let directories = (try? FileManager.default.contentsOfDirectory(atPath: metaRoot)) ?? []
        var names: [String] = []
        for directory in directories.sorted() {
            guard let data = FileManager.default.contents(atPath: "\(metaRoot)/\(directory)/meta.json"),
                  let meta = try? JSONDecoder().decode(Meta.self, from: data) else { continue }
            names.append(meta.Name)
            guard meta.Name == name else { continue }
            guard let host = meta.Endpoints["docker"]?.Host, !host.isEmpty else {
                throw Failure(description: "docker context '\(name)' has no docker endpoint")
            }
            let endpoint: EngineEndpoint
            do { endpoint = try EngineEndpoint.parse(host) } catch {
                throw Failure(description: "docker context '\(name)': \(error)")
            }
            // `docker context create --docker host=…,ca=…,cert=…,key=…` keeps the files here.
            let tls = "\(configDirectory)/contexts/tls/\(directory)/docker"
            guard FileManager.default.fileExists(atPath: tls), case .tcp = endpoint.transport else { return endpoint }
            do { return EngineEndpoint(transport: endpoint.transport, tls: try EngineEndpoint.certificateDirectory(tls, for: host)) } catch {
                throw Failure(description: "docker context '\(name)': \(error)")
            }
        }
        if name == "default" { return .local }
        let known = "contexts: " + (["default"] + names.sorted()).joined(separator: ", ")
        throw Failure(description: "no docker context '\(name)' (\(known))")
    }
}
