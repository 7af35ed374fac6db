#pragma once
// The JSON form of write events and board results (docs/write-json.md,
// docs/write-events.schema.json): one object per event for `rtprov write --json`, the result
// object also as the --log record.

#include <nlohmann/json.hpp>

#include "rtprov/write/events.hpp"

namespace rtprov::write {

// One event as a JSON object ({"event": "progress", "board": ..., ...}).
nlohmann::json event_json(const Event& event);

// A board's result (the "result" event without "event"/"time").
nlohmann::json result_json(const BoardResult& result);

// One fuse row as JSON.
nlohmann::json fuse_row_json(const FuseRow& row);

}  // namespace rtprov::write
