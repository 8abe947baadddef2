/// The body of `datasets.insert`: which dataset, and where its data lives.
struct DatasetResource: Encodable {
    struct Reference: Encodable {
        var projectId: String
        var datasetId: String
    }

    var datasetReference: Reference
    var location: String
}
