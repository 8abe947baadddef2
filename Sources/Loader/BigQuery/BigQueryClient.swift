import Foundation
import Logging
import HTTP
import RecordContract

/// BigQuery's REST API v2, as much of it as the loader needs: datasets, tables (create, grow, views),
/// streaming inserts and queries. Talks to Google with service-account auth, to an emulator without,
/// or to an authenticating proxy (`BigQueryConfiguration.endpoint`).
///
/// Retryable failures (5xx, 429, quota 403s, network errors, a 404 right after this client changed the
/// table) are retried inside with jittered backoff up to `configuration.backoff`; what remains is thrown
/// as `BigQueryError` with `isRetryable` telling the caller whether to keep the batch. A 401 always gets
/// exactly one retry with a fresh token first.
public final class BigQueryClient: Sendable {
    public let configuration: BigQueryConfiguration
    /// `nil` against an emulator.
    public let tokenProvider: AccessTokenProvider?
    private let http: HTTPClient
    private let logger: Logger
    private let schemaChanges = SchemaChangeLog()

    /// Builds the client and, unless an emulator is configured, reads the service-account key
    /// (`credentialsPath`, else `GOOGLE_APPLICATION_CREDENTIALS`).
    public convenience init(
        configuration: BigQueryConfiguration, http: HTTPClient = HTTPClient(), logger: Logger = Logger(label: "bigquery")
    ) throws {
        let configuration = configuration.applyingEnvironment()
        try configuration.validate()
        var provider: AccessTokenProvider?
        if !configuration.usesEmulator, let path = configuration.credentialsPath {
            let key = try ServiceAccountKey.load(path: path)
            provider = try AccessTokenProvider(
                key: key, http: http, refreshMargin: configuration.tokenRefreshMargin,
                requestTimeout: configuration.requestTimeout, logger: logger
            )
        }
        self.init(configuration: configuration, tokenProvider: provider, http: http, logger: logger)
    }

    /// Builds the client around an existing token provider (`nil` = no auth, for emulators).
    public init(configuration: BigQueryConfiguration, tokenProvider: AccessTokenProvider?, http: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.tokenProvider = tokenProvider
        self.http = http
        self.logger = logger
    }

    private var project: String { configuration.project }

    // MARK: Datasets

    /// Whether the dataset exists (`datasets.get`).
    public func datasetExists(_ dataset: String? = nil) async throws -> Bool {
        let id = dataset ?? configuration.dataset
        let response = try await send("datasets.get \(id)", "GET", datasetPath(id), allowNotFound: true)
        return response.status != 404
    }

    /// Creates the dataset in `configuration.location` unless it exists. Returns true when it created it.
    @discardableResult
    public func ensureDataset(_ dataset: String? = nil) async throws -> Bool {
        let id = dataset ?? configuration.dataset
        if try await datasetExists(id) { return false }
        let body = DatasetResource(datasetReference: .init(projectId: project, datasetId: id), location: configuration.location)
        let response = try await send("datasets.insert \(id)", "POST", "/projects/\(Self.escape(project))/datasets",
                                      json: body, allowConflict: true)
        return response.status != 409  // 409: another loader replica created it first
    }

    /// Deletes the dataset and its tables (tests and the demo's reset).
    public func deleteDataset(_ dataset: String, deleteContents: Bool = true) async throws {
        _ = try await send("datasets.delete \(dataset)", "DELETE", datasetPath(dataset) + "?deleteContents=\(deleteContents)", allowNotFound: true)
    }

    // MARK: Tables

    /// `tables.get`; `nil` when the table does not exist.
    public func table(_ table: String) async throws -> TableMetadata? {
        let response = try await send("tables.get \(table)", "GET", tablePath(table), allowNotFound: true)
        if response.status == 404 { return nil }
        let resource = try Self.decode(TableResource.self, from: response.body, operation: "tables.get \(table)")
        return TableMetadata(tableID: table, type: resource.type ?? "TABLE", schema: TableSchema(rest: resource),
                             numRows: resource.numRows.flatMap { Int64($0) })
    }

    /// `tables.insert` with the declared columns, partitioning and clustering. Throws on 409.
    public func createTable(_ table: String, schema: TableSchema) async throws {
        let body = schema.restTable(project: project, dataset: configuration.dataset, table: table)
        _ = try await send("tables.insert \(table)", "POST", datasetPath(configuration.dataset) + "/tables", json: body)
        schemaChanges.record(table)
        logger.info("created table", metadata: ["table": "\(configuration.dataset).\(table)", "columns": "\(schema.columns.count)"])
    }

    /// Creates the table if missing, or appends the declared columns it lacks. Never drops or retypes a
    /// column: BigQuery would refuse, and old rows must stay readable.
    @discardableResult
    public func ensureTable(_ table: String, schema: TableSchema) async throws -> TableSchemaChange {
        if let existing = try await self.table(table) {
            let missing = schema.columnsMissing(from: existing.schema.columns)
            if missing.isEmpty { return .unchanged }
            return .extended(try await addColumns(table, missing, to: existing.schema))
        }
        do {
            try await createTable(table, schema: schema)
            return .created
        } catch let error as BigQueryError where error.status == 409 {
            // Another replica won the race; make sure its table has our columns.
            return try await ensureTable(table, schema: schema)
        }
    }

    /// Appends `columns` (as NULLABLE: BigQuery refuses to add REQUIRED columns to a table with rows) by
    /// PATCHing the merged schema. Returns the columns that were really new.
    @discardableResult
    public func addColumns(_ table: String, _ columns: [TableColumn]) async throws -> [TableColumn] {
        guard let existing = try await self.table(table) else {
            throw BigQueryError(kind: .http, operation: "tables.patch \(table)", status: 404, reason: "notFound",
                                message: "table \(configuration.dataset).\(table) does not exist", isRetryable: false)
        }
        return try await addColumns(table, columns, to: existing.schema)
    }

    private func addColumns(_ table: String, _ columns: [TableColumn], to existing: TableSchema) async throws -> [TableColumn] {
        let added = TableSchema(columns: columns).columnsMissing(from: existing.columns).map {
            TableColumn($0.name, $0.type, .nullable, description: $0.description)
        }
        guard !added.isEmpty else { return [] }
        let merged = existing.columns + added
        let body = TableResource(schema: .init(fields: merged.map(\.restField)))
        _ = try await send("tables.patch \(table)", "PATCH", tablePath(table), json: body)
        if configuration.usesEmulator {
            // bqemulator's tables.patch updates only its catalog, not the DuckDB table behind it, so an
            // insert with the new column fails until the column exists there too. Real BigQuery needs no
            // DDL here; IF NOT EXISTS keeps this harmless either way.
            for column in added {
                _ = try await query("ALTER TABLE \(qualified(table)) ADD COLUMN IF NOT EXISTS `\(column.name)` \(column.type.rawValue)")
            }
        }
        schemaChanges.record(table)
        logger.info("added columns", metadata: ["table": "\(configuration.dataset).\(table)", "columns": "\(added.map(\.name))"])
        return added
    }

    /// `CREATE OR REPLACE VIEW` through a query job: one statement works on BigQuery and the emulator
    /// (whose REST `tables.insert` with a `view` block creates an empty placeholder instead of a view).
    public func createOrReplaceView(_ view: String, selecting sql: String) async throws {
        _ = try await query("CREATE OR REPLACE VIEW \(qualified(view)) AS \(sql)")
    }

    /// `tables.delete`; missing tables are fine.
    public func deleteTable(_ table: String) async throws {
        _ = try await send("tables.delete \(table)", "DELETE", tablePath(table), allowNotFound: true)
    }

    /// `` `project.dataset.table` `` for SQL.
    public func qualified(_ table: String) -> String { "`\(project).\(configuration.dataset).\(table)`" }

    // MARK: Streaming inserts

    /// `tabledata.insertAll` with `skipInvalidRows=false` and `ignoreUnknownValues=false`: a bad row makes
    /// BigQuery write none of the request and report `invalid` for it and `stopped` for the others, so
    /// the caller can dead-letter exactly the bad rows and resend the rest. Per-row errors are returned,
    /// not thrown; only request-level failures throw.
    ///
    /// Callers split batches: more than `maxRowsPerInsert` rows or `maxBytesPerInsert` bytes throws
    /// `requestTooLarge` without sending anything.
    public func insertAll(into table: String, rows: [InsertAllRow], skipInvalidRows: Bool = false) async throws -> InsertAllResult {
        let operation = "tabledata.insertAll \(configuration.dataset).\(table)"
        guard !rows.isEmpty else { return InsertAllResult(rowCount: 0, rowErrors: []) }
        guard rows.count <= configuration.maxRowsPerInsert else {
            throw BigQueryError(kind: .requestTooLarge, operation: operation,
                                message: "\(rows.count) rows in one request; split batches at \(configuration.maxRowsPerInsert) rows",
                                isRetryable: false)
        }
        // Assembled as bytes and wrapped once: appending to `Data` row by row cost more than the copy.
        var body: [UInt8] = []
        body.reserveCapacity(rows.reduce(128) { $0 + $1.json.count + $1.insertID.utf8.count + 32 })
        body.append(contentsOf: #"{"kind":"bigquery#tableDataInsertAllRequest","skipInvalidRows":\#(skipInvalidRows),"ignoreUnknownValues":false,"rows":["#.utf8)
        for (position, row) in rows.enumerated() {
            if position > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: #"{"insertId":"#.utf8)
            if row.insertID.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
                // The loader's ids are hex: nothing to escape, so no writer per row.
                body.append(UInt8(ascii: "\""))
                body.append(contentsOf: row.insertID.utf8)
                body.append(UInt8(ascii: "\""))
            } else {
                var id = JSONWriter(capacity: 96)
                id.string(row.insertID)
                body.append(contentsOf: id.bytes)
            }
            body.append(contentsOf: #","json":"#.utf8)
            row.json.withUnsafeBytes { body.append(contentsOf: $0) }
            body.append(UInt8(ascii: "}"))
        }
        body.append(contentsOf: "]}".utf8)
        guard body.count <= configuration.maxBytesPerInsert else {
            throw BigQueryError(kind: .requestTooLarge, operation: operation,
                                message: "request of \(body.count) bytes exceeds \(configuration.maxBytesPerInsert); split the batch",
                                isRetryable: false)
        }
        let response = try await send(operation, "POST", tablePath(table) + "/insertAll", body: Data(body), notFoundTable: table)
        let rowErrors = (try Self.decode(InsertAllResponse.self, from: response.body, operation: operation).insertErrors ?? [])
            .sorted { $0.index < $1.index }
        if let first = rowErrors.first(where: { !$0.isRetryable }) ?? rowErrors.first {
            var metadata: Logger.Metadata = [
                "table": "\(configuration.dataset).\(table)", "rows": "\(rows.count)", "rejected": "\(rowErrors.count)",
                "first_row_index": "\(first.index)", "bigquery_reason": "\(first.reason)", "bigquery_message": "\(first.message)",
            ]
            if let location = first.location { metadata["bigquery_location"] = "\(location)" }
            logger.warning("insertAll rejected rows", metadata: metadata)
        }
        return InsertAllResult(rowCount: rows.count, rowErrors: rowErrors)
    }

    // MARK: Queries

    /// Runs standard SQL (`jobs.query`), waits for the job (`getQueryResults`) up to `configuration.queryTimeout`
    /// and reads every page. DDL and DML return an empty result.
    public func query(_ sql: String) async throws -> QueryResult {
        let operation = "jobs.query"
        let deadline = ContinuousClock.now + configuration.queryTimeout
        let body = QueryRequest(query: sql, location: configuration.location, requestId: UUID().uuidString.lowercased())
        var page = try Self.decode(QueryResponse.self, from: try await send(operation, "POST", "/projects/\(Self.escape(project))/queries", json: body).body,
                                   operation: operation)
        try Self.checkQueryErrors(page, sql: sql)
        let jobID = page.jobReference?.jobId
        let jobLocation = page.jobReference?.location ?? configuration.location

        func results(pageToken: String?) async throws -> QueryResponse {
            guard let jobID else { throw BigQueryError.invalidResponse("query response has no jobReference", operation: operation) }
            var path = "/projects/\(Self.escape(project))/queries/\(Self.escape(jobID))?location=\(Self.escape(jobLocation))"
            path += "&timeoutMs=10000&maxResults=10000&formatOptions.useInt64Timestamp=true"
            if let pageToken { path += "&pageToken=\(Self.escape(pageToken))" }
            let page = try Self.decode(QueryResponse.self, from: try await send("jobs.getQueryResults \(jobID)", "GET", path).body,
                                       operation: operation)
            try Self.checkQueryErrors(page, sql: sql)
            return page
        }

        while page.jobComplete == false {
            guard ContinuousClock.now < deadline else {
                throw BigQueryError(kind: .queryTimedOut, operation: operation,
                                    message: "job \(jobID ?? "?") still running after \(configuration.queryTimeout)", isRetryable: true)
            }
            page = try await results(pageToken: nil)
        }
        let columns = (page.schema?.fields ?? []).map { QueryColumn(name: $0.name, type: ColumnType(restName: $0.type ?? "STRING")) }
        var index: [String: Int] = [:]
        for (position, column) in columns.enumerated() where index[column.name.lowercased()] == nil {
            index[column.name.lowercased()] = position
        }
        var rows: [QueryRow] = []
        while true {
            for raw in page.rows ?? [] {
                let cells = raw.f ?? []
                var values: [QueryValue] = []
                values.reserveCapacity(columns.count)
                for (position, column) in columns.enumerated() {
                    values.append(position < cells.count ? QueryValue.decode(cells[position].v, as: column.type) : .null)
                }
                rows.append(QueryRow(values: values, index: index))
            }
            guard let token = page.pageToken, !token.isEmpty else { break }
            page = try await results(pageToken: token)
        }
        return QueryResult(columns: columns, rows: rows, jobID: jobID)
    }

    private static func checkQueryErrors(_ page: QueryResponse, sql: String) throws {
        guard let failure = page.failure else { return }
        throw BigQueryError(kind: .queryFailed, operation: "jobs.query \(sql.prefix(120))", reason: failure.reason,
                            message: failure.message.isEmpty ? "query failed" : failure.message, location: failure.location,
                            details: [failure], isRetryable: false)
    }

    // MARK: Transport

    private func datasetPath(_ dataset: String) -> String {
        "/projects/\(Self.escape(project))/datasets/\(Self.escape(dataset))"
    }

    private func tablePath(_ table: String) -> String {
        datasetPath(configuration.dataset) + "/tables/\(Self.escape(table))"
    }

    private func send(
        _ operation: String, _ method: String, _ path: String, json: some Encodable, allowConflict: Bool = false
    ) async throws -> HTTPResponse {
        let body: Data
        do { body = try JSONEncoder().encode(json) } catch {
            throw BigQueryError.invalidResponse("cannot encode request: \(error)", operation: operation)
        }
        return try await send(operation, method, path, body: body, allowConflict: allowConflict)
    }

    /// One logical call: auth header, one retry after a 401 with a fresh token, backoff on retryable
    /// failures. `allowNotFound`/`allowConflict` hand those statuses back instead of throwing.
    private func send(
        _ operation: String, _ method: String, _ path: String, body: Data? = nil,
        allowNotFound: Bool = false, allowConflict: Bool = false, notFoundTable: String? = nil
    ) async throws -> HTTPResponse {
        var attempt = 0
        var refreshedAfter401 = false
        while true {
            do {
                var headers: [(name: String, value: String)] = [("Accept", "application/json")]
                if body != nil { headers.append(("Content-Type", "application/json; charset=utf-8")) }
                var token: AccessToken?
                if let tokenProvider {
                    token = try await tokenProvider.token()
                    headers.append(("Authorization", "Bearer \(token!.value)"))
                }
                let request = HTTPRequest(method: method, url: configuration.apiRoot + path, headers: headers,
                                          body: body ?? Data(), timeout: configuration.requestTimeout)
                let response: HTTPResponse
                do { response = try await http.send(request) } catch let error as HTTPClientError {
                    throw BigQueryError.transport(error, operation: operation)
                }
                if response.status == 401, let tokenProvider, let token {
                    // Revoked or expired early: drop the token so the next attempt signs a new assertion. The
                    // first 401 gets an immediate retry, not counted as a backoff attempt; a 401 that survives
                    // a fresh token is treated as an outage and backs off like a 503.
                    await tokenProvider.invalidate(token)
                    if !refreshedAfter401 {
                        refreshedAfter401 = true
                        logger.info("BigQuery answered 401; refreshing the access token", metadata: ["operation": "\(operation)"])
                        continue
                    }
                }
                if response.isSuccess || (allowNotFound && response.status == 404) || (allowConflict && response.status == 409) {
                    return response
                }
                let propagating = notFoundTable.map { schemaChanges.changedRecently($0, within: configuration.schemaPropagationWindow) } ?? false
                throw BigQueryError.fromResponse(response, operation: operation, notFoundIsRetryable: propagating)
            } catch let error as BigQueryError where error.isRetryable && configuration.backoff.allowsRetry(after: attempt) {
                let delay = configuration.backoff.delay(attempt: attempt, retryAfter: error.retryAfter)
                logger.warning("BigQuery call failed; retrying",
                               metadata: error.logMetadata.merging(["attempt": "\(attempt + 1)", "delay": "\(delay)"]) { $1 })
                attempt += 1
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Decodes a 2xx answer; one that does not decode is `invalidResponse` with what failed and the body's start.
    private static func decode<Answer: Decodable>(_ type: Answer.Type, from body: Data, operation: String) throws -> Answer {
        do { return try JSONDecoder().decode(type, from: body) } catch {
            throw BigQueryError(kind: .invalidResponse, operation: operation,
                                message: "response is not a \(Answer.self): \(Self.decodingProblem(error))",
                                bodyExcerpt: String(decoding: body.prefix(200), as: UTF8.self), isRetryable: false)
        }
    }

    /// Which member failed and why, without the value (DecodingError's own description is long and nested).
    private static func decodingProblem(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case let .typeMismatch(type, context)?: return "\(path(context)) is not of type \(type)"
        case let .valueNotFound(type, context)?: return "\(path(context)) is null, expected \(type)"
        case let .keyNotFound(key, context)?: return "\(path(context)).\(key.stringValue) is missing"
        case .dataCorrupted?: return "not valid JSON"
        default: return "\(error)"
        }
    }

    /// Percent-encodes a path or query component (ids are normally `[A-Za-z0-9_-]`, so this is a guard).
    static func escape(_ component: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return component.addingPercentEncoding(withAllowedCharacters: allowed) ?? component
    }
}
