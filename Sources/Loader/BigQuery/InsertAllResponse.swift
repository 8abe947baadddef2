/// The body of a successful `tabledata.insertAll`: `{"kind","insertErrors":[{"index","errors":[...]}]}`.
struct InsertAllResponse: Decodable {
    var insertErrors: [RowInsertError]?
}
