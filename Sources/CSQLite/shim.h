// Only TUFRepository's state store (State/SQLite*.swift) imports this module: the system's libsqlite3.
#include <sqlite3.h>
