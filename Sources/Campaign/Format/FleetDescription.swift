import DockerEngine
import FaultlineSupport
import Foundation

/// The nodes of a fleet, as a fleet file names them (`scripts/fleet.sh up` writes one):
///
///     tls: { ca: certs/ca.pem, cert: certs/laptop.pem, key: certs/laptop.key }   # for https agents
///     token_file: certs/token                                                 # their bearer token
///     nodes:
///       edge-1: { engine: unix:///var/run/docker.sock, agent: unix:///var/lib/faultline/daemon.sock }
///       edge-2: { context: edge-2, agent: "https://10.0.0.12:7441", address: 10.0.0.12 }
///       edge-3: { engine: "tcp://10.0.0.13:2376", engine_tls: certs/edge-3-engine, agent: "https://10.0.0.13:7441" }
///
/// `engine_tls` names a directory in the `DOCKER_CERT_PATH` layout (ca.pem, cert.pem, key.pem) for
/// an engine that requires TLS; a docker context brings its own.
///
/// Read strictly, with located errors: every node needs an engine address; names are unique.
/// Relative paths are read from the fleet file's directory.
public struct FleetDescription: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public let name: String
        public let engine: EngineEndpoint
        /// Where its faultline agent listens (a unix socket, or a URL).
        public let agent: String?
        /// Its address on the network the nodes share (for peers and probes).
        public let address: String?
    }

    public let file: String
    public let nodes: [Node]
    /// The coordinator's side of mutual TLS with https agents: its certificate and key, and the
    /// CA the agents' certificates chain to.
    public var tls: TLSFiles?
    /// The file holding the bearer token agents on TCP require.
    public var tokenFile: String?

    public func node(named name: String) -> Node? { nodes.first { $0.name == name } }

    /// Letters, digits, '-', '_' and '.' (what hostnames and docker context names use).
    public static func isValidNodeName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
    }

    /// The environment variable naming the fleet file when `--fleet` is not given.
    public static let environmentVariable = "FAULTLINE_FLEET"

    public static func load(_ path: String) throws(CampaignError) -> FleetDescription {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CampaignError(file: path, line: nil, column: nil, path: "", message: "cannot read the fleet file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// `dockerConfig`: where docker contexts are read from (`$DOCKER_CONFIG`, else `~/.docker`).
    public static func parse(_ text: String, file: String,
                             dockerConfig: String = DockerContextStore.configDirectory()) throws(CampaignError) -> FleetDescription {
        let root = try YAMLNode.parse(text, file: file, variables: .forCampaign(file: file))
        let top = try root.mapping(allowed: ["nodes", "tls", "token_file"])
        let directory = PathText.directory(of: file)
        let resolve = { (path: String) -> String in path.hasPrefix("/") ? path : directory + "/" + path }
        var tls: TLSFiles?
        if let tlsNode = top["tls"] {
            let entries = try tlsNode.mapping(allowed: ["ca", "cert", "key"])
            guard let ca = entries["ca"], let cert = entries["cert"], let key = entries["key"] else {
                throw tlsNode.error("tls needs ca (the fleet CA's certificate), cert and key (this coordinator's): `faultline certs` makes them")
            }
            tls = TLSFiles(certificate: resolve(try cert.nonEmptyString()), key: resolve(try key.nonEmptyString()),
                           certificateAuthority: resolve(try ca.nonEmptyString()))
        }
        var tokenFile: String?
        if let tokenNode = top["token_file"] { tokenFile = resolve(try tokenNode.nonEmptyString()) }
        guard let nodesNode = top["nodes"] else { throw root.error("missing 'nodes': name each node with its engine address") }
        var nodes: [Node] = []
        for (name, node) in try nodesNode.namedMapping() {
            guard isValidNodeName(name) else {
                throw node.error("node name '\(name)': letters, digits, '-', '_' and '.' only")
            }
            let entries = try node.mapping(allowed: ["engine", "engine_tls", "context", "agent", "address"])
            let engineNode: YAMLNode
            var engine: EngineEndpoint
            switch (entries["engine"], entries["context"]) {
            case (let given?, nil):
                engineNode = given
                do { engine = try EngineEndpoint.parse(try given.nonEmptyString()) } catch let error as EngineEndpointError {
                    throw given.error(error.description)
                } catch let located as CampaignError { throw located } catch { throw given.error("\(error)") }
            case (nil, let context?):
                engineNode = context
                do { engine = try DockerContextStore.endpoint(named: try context.nonEmptyString(), configDirectory: dockerConfig) } catch let error as DockerContextStore.Failure {
                    throw context.error(error.description)
                } catch let located as CampaignError { throw located } catch { throw context.error("\(error)") }
            case (_?, _?):
                throw node.error("node '\(name)': give 'engine' or 'context', not both")
            case (nil, nil):
                throw node.error("node '\(name)' needs 'engine' (unix:///var/run/docker.sock or tcp://HOST:PORT) or 'context' (a docker context)")
            }
            if let tlsNode = entries["engine_tls"] {
                guard entries["engine"] != nil, case .tcp = engine.transport, engine.tls == nil else {
                    throw tlsNode.error("engine_tls goes with a tcp:// engine address (a docker context brings its own TLS files)")
                }
                do {
                    engine = EngineEndpoint(transport: engine.transport,
                                            tls: try EngineEndpoint.certificateDirectory(resolve(try tlsNode.nonEmptyString()), for: engine.description))
                } catch let error as EngineEndpointError { throw tlsNode.error(error.description) }
                catch let located as CampaignError { throw located } catch { throw tlsNode.error("\(error)") }
            }
            if let same = nodes.first(where: { $0.engine.transport == engine.transport }) {
                throw engineNode.error("nodes '\(same.name)' and '\(name)' name the same engine: one engine is one node")
            }
            nodes.append(Node(name: name, engine: engine, agent: try entries["agent"]?.nonEmptyString(),
                              address: try entries["address"]?.nonEmptyString()))
        }
        guard !nodes.isEmpty else { throw nodesNode.error("name at least one node") }
        return FleetDescription(file: file, nodes: nodes, tls: tls, tokenFile: tokenFile)
    }
}
