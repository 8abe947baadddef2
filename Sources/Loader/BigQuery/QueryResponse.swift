/// One page of `jobs.query` or `jobs.getQueryResults`. Rows are `{"f":[{"v":...}]}`; a `v` is a
/// string or null for scalar columns, an object or array for RECORD and REPEATED ones.
struct QueryResponse: Decodable {
    struct JobReference: Decodable {
        var jobId: String?
        var location: String?
    }

    struct Schema: Decodable {
        var fields: [TableResource.Field]?
    }

    struct Row: Decodable {
        struct Cell: Decodable {
            var v: RESTValue?
        }

        var f: [Cell]?
    }

    struct Status: Decodable {
        var errorResult: BigQueryErrorDetail?
    }

    var jobReference: JobReference?
    /// False while the job runs; absent on some DDL answers, which means done.
    var jobComplete: Bool?
    var schema: Schema?
    var rows: [Row]?
    var pageToken: String?
    /// Warnings on a successful job, or (the emulator) the failure of one without a schema.
    var errors: [BigQueryErrorDetail]?
    var status: Status?

    /// A failed job reports `status.errorResult` (getQueryResults) or, on the emulator, `errors` with no
    /// schema. `errors` alone can be warnings on a successful BigQuery job, so it needs the empty schema too.
    var failure: BigQueryErrorDetail? {
        if let errorResult = status?.errorResult { return errorResult }
        return (schema?.fields ?? []).isEmpty ? errors?.first : nil
    }
}
