/// The kinds of write stream the loader creates (`WriteStream.Type`; the `_default` stream needs no creation).
public enum WriteStreamType: Int, Sendable, Equatable {
    /// Rows visible as soon as they are appended; offsets make appends exactly-once within the stream.
    case committed = 1
    /// Rows invisible until the stream is finalized and committed with BatchCommitWriteStreams.
    case pending = 2
    /// Rows visible as FlushRows advances.
    case buffered = 3
}
