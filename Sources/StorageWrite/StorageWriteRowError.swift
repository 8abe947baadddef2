/// One row the Write API refused inside an AppendRows request, re-indexed to the caller's rows: what a
/// dead letter carries as BigQuery's reason.
public struct StorageWriteRowError: Sendable, Equatable, CustomStringConvertible {
    /// Index into the rows the caller passed to `appendRows` (not into one split request).
    public var index: Int
    /// `RowError.RowErrorCode`: 1 = FIELDS_ERROR (a value that does not fit its column).
    public var code: Int
    public var message: String
    /// What a dead letter names as BigQuery's reason: the row error code's name, or the gRPC status of a
    /// request refused whole when the row was found by halving it (`INVALID_ARGUMENT`).
    public var codeName: String

    public init(index: Int, code: Int, message: String, codeName: String? = nil) {
        self.index = index
        self.code = code
        self.message = message
        self.codeName = codeName ?? (code == 1 ? "FIELDS_ERROR" : "ROW_ERROR_CODE_\(code)")
    }

    public var description: String { "row \(index): \(codeName): \(message)" }
}
