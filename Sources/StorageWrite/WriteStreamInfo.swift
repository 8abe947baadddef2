import Foundation

/// A write stream as CreateWriteStream and GetWriteStream describe it.
public struct WriteStreamInfo: Sendable, Equatable {
    /// `projects/{project}/datasets/{dataset}/tables/{table}/streams/{id}`.
    public var name: String
    /// `nil` when the server answers with a type this client does not know.
    public var type: WriteStreamType?
    public var createTime: Date?
    /// Set once a PENDING stream was committed.
    public var commitTime: Date?

    public init(name: String, type: WriteStreamType?, createTime: Date?, commitTime: Date?) {
        self.name = name
        self.type = type
        self.createTime = createTime
        self.commitTime = commitTime
    }
}
