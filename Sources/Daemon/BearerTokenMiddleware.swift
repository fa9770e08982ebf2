import Foundation
import Hummingbird
import NIOCore

/// Refuses every request on the TCP listener without `Authorization: Bearer TOKEN` (compared in
/// constant time), with a JSON 401 that says what is missing.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        // The scheme is case-insensitive (RFC 9110 §11.1); the credentials follow one or more spaces.
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return APIRoutes.errorResponse(APIError(status: 401, message: "this listener needs 'Authorization: Bearer TOKEN' (the daemon's token: --token-file or FAULTLINE_TOKEN)"))
        }
        guard Self.equal(Array(parts[1].trimmingCharacters(in: .whitespaces).utf8), Array(token.utf8)) else {
            return APIRoutes.errorResponse(APIError(status: 401, message: "the bearer token is wrong"))
        }
        return try await next(request, context)
    }

    /// Equal without an early exit, so the time taken does not tell how much of a guess was right.
    static func equal(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }
}
