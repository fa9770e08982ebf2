import DockerEngine
import FaultProxy

/// `toxic`: toxics turned on in a TCP proxy a campaign runs in faultline's own process (latency,
/// resets, time-outs… on any kernel). It acts on the proxy, not on a container, so only
/// campaigns take it; `faultline proxy --toxic` is its command-line form.
public struct ToxicParameters: FaultParameters {
    public static let kind = FaultKind.toxic
    public static let purpose = "Turn toxics on in one of the campaign's TCP proxies (latency, bandwidth, timeout, reset_peer, slicer…); any kernel."
    public static let revert = "exactly the window's toxics removed (they die with the process)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("proxy", .name, required: true, help: "one of the campaign's proxies", example: "backend-link"),
        FaultParameter("toxics", .toxic, required: true, repeatable: true, help: "toxics as `faultline proxy --toxic` reads them",
                       example: "latency=2s,stream=upstream"),
    ]
    public static let example = "(campaigns only; see `faultline proxy --toxic`)"

    public var proxy: String
    public var toxics: [String]

    public init(proxy: String, toxics: [String]) {
        self.proxy = proxy
        self.toxics = toxics
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        proxy = input.text("proxy") ?? ""
        toxics = input.texts("toxics") ?? []
        var seen = Set<String>()
        for (index, text) in toxics.enumerated() {
            guard let toxic = try? Toxic.parse(text) else { continue }
            guard seen.insert("\(toxic.typeName)/\(toxic.stream.rawValue)").inserted else {
                throw ParameterError(key: "toxics", index: index, "two \(toxic.typeName) toxics on the \(toxic.stream.rawValue) stream: give one")
            }
        }
    }

    public var texts: [(key: String, texts: [String])] { [("proxy", [proxy]), ("toxics", toxics)] }

    public func action(hasWindow: Bool) -> any FaultAction { NotOnContainers(kind: .toxic, summary: summary) }
    public var summary: String { "toxic \(toxics.joined(separator: " + "))" }
}
