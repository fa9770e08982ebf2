import Campaign
import DockerEngine
import FaultlineSupport
import Foundation

/// A refusal of the API: an HTTP status and a message that says what is wrong and what to do,
/// with the file location when a campaign could not be read.
public struct APIError: Error, CustomStringConvertible, Sendable, Equatable {
    public let status: Int
    public let message: String
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var path: String?

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    static func badRequest(_ message: String) -> APIError { APIError(status: 400, message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: 404, message: message) }
    static func conflict(_ message: String) -> APIError { APIError(status: 409, message: message) }

    /// A campaign that does not parse: 400 with its location.
    static func campaign(_ error: CampaignError) -> APIError {
        var api = APIError(status: 400, message: error.description)
        api.file = error.file
        api.line = error.line
        api.column = error.column
        api.path = error.path.isEmpty ? nil : error.path
        return api
    }

    /// What planning threw: a plan that cannot be made is the client's (422); the engine failing is ours (502).
    static func planning(_ error: any Error) -> APIError {
        if let plan = error as? PlanError { return APIError(status: 422, message: plan.description) }
        if let engine = error as? DockerEngineError { return APIError(status: 502, message: "engine: \(engine)") }
        return APIError(status: 500, message: "\(error)")
    }

    /// `{"error": {"message": …, "file": …, "line": …, "column": …, "path": …}}`
    var body: Data {
        struct Detail: Encodable {
            let message: String
            let file: String?, line: Int?, column: Int?, path: String?
        }
        struct Wrapper: Encodable { let error: Detail }
        return JSONCoding.encode(Wrapper(error: Detail(message: message, file: file, line: line, column: column, path: path)))
    }
}
