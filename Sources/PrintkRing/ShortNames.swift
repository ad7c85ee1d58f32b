// The API's types are nested in PrintkRing, so that each has a qualified name a user can always
// reach (`PrintkRing.Record` when a `Record` of the user's own hides this one). These top-level
// names are the short forms.

/// Short for ``PrintkRing/LogLevel``.
public typealias LogLevel = PrintkRing.LogLevel

/// Short for ``PrintkRing/LogMessage``.
public typealias LogMessage = PrintkRing.LogMessage

/// Short for ``PrintkRing/Reader``.
public typealias Reader = PrintkRing.Reader

/// Short for ``PrintkRing/RecordInfo``.
public typealias RecordInfo = PrintkRing.RecordInfo

/// Short for ``PrintkRing/Record``.
public typealias Record = PrintkRing.Record

/// Short for ``PrintkRing/RecordMetadata``.
public typealias RecordMetadata = PrintkRing.RecordMetadata

/// Short for ``PrintkRing/RecordFormatter``.
public typealias RecordFormatter = PrintkRing.RecordFormatter

/// Short for ``PrintkRing/RecordWriter``.
public typealias RecordWriter = PrintkRing.RecordWriter

/// Short for ``PrintkRing/Reservation``.
public typealias Reservation = PrintkRing.Reservation

/// Short for ``PrintkRing/RecordAppending``.
public typealias RecordAppending = PrintkRing.RecordAppending
