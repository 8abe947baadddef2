import Loader

extension BigQueryRejection {
    /// A row the Write API refused inside AppendRows: its row error code (`FIELDS_ERROR`) is the reason,
    /// its message says which field and why; `index` is the row's position in the batch appended.
    public init(_ error: StorageWriteRowError) {
        self.init(reason: error.codeName, location: nil, message: error.message, index: error.index, status: nil)
    }
}
