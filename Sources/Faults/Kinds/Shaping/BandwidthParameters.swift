/// `bandwidth`: the rate the container sends at, limited (`tbf`).
public struct BandwidthParameters: FaultParameters {
    public static let kind = FaultKind.bandwidth
    public static let purpose = "Limit what the container sends to a rate (tbf root qdisc on each interface but loopback)."
    public static let revert = "the reserved-handle qdisc deleted"
    public static let window = FaultWindowUse.required
    public static let parameters = [FaultParameter("rate", .rate, required: true, help: "the rate the container may send at", example: "1mbit")]
    public static let example = "bandwidth api --rate 1mbit --for 30s"

    public var rate: String

    public init(rate: String) { self.rate = rate }
    public init(_ input: ParameterInput) { rate = input.text("rate") ?? "" }

    public var texts: [(key: String, texts: [String])] { [("rate", [rate])] }

    public func action(hasWindow: Bool) -> any FaultAction { ShapingFault(.bandwidth(rate: rate)) }
}
