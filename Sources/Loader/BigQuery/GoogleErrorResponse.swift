/// The body of a failed Google API call:
/// `{"error":{"code","message","status","errors":[{"reason","message","location"}]}}`.
/// `error` is optional because some answers (the emulator's 404 on `tables.get`) are `{}`.
struct GoogleErrorResponse: Decodable {
    struct Body: Decodable {
        var code: Int?
        var message: String?
        /// The gRPC-style status (`NOT_FOUND`, `PERMISSION_DENIED`...), a fallback reason.
        var status: String?
        var errors: [BigQueryErrorDetail]?
    }

    var error: Body?
}
