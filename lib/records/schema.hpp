#pragma once
// The records database's tables (internal to lib/records): created, or migrated from an older
// rtprov's, in one write transaction.

#include "sqlite.hpp"

namespace rtprov::records::detail {

// Creates the tables of a new database or migrates an older one (version 1: reservations get
// their canonical column, docs/records.md), inside one BEGIN IMMEDIATE transaction that re-reads
// the version: of many processes opening a new database at once, one sets it up and the others
// wait for it (busy timeout) and find it done. Throws Error(BadInput) for a database of a newer
// rtprov.
void bring_up_to_date(Connection& db);

}  // namespace rtprov::records::detail
