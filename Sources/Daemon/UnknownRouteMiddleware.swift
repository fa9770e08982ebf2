import Hummingbird
import HTTPTypes

/// Answers a request no route takes in the API's own terms: 405 with `Allow` when the path is
/// served with other methods, else 404 naming the method and path — both as the JSON refusal every
/// other answer uses (the router's own answer is an empty 404).
struct UnknownRouteMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let book: RouteBook

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            let allowed = book.methods(for: path)
            let shown = String(path.prefix(200))
            guard !allowed.isEmpty else {
                return APIRoutes.errorResponse(APIError.notFound("no endpoint \(request.method.rawValue) \(shown) (the API is in docs/daemon-api.md)"))
            }
            var response = APIRoutes.errorResponse(APIError(status: 405, message: "\(shown) does not take \(request.method.rawValue) (it takes \(allowed.joined(separator: ", ")))"))
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        }
    }
}
