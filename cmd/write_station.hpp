#pragma once
// `rtprov write`'s station options and records: the station directory and name, the CSV file of
// per-board values, and the records database every board attempt goes into (rtprov::records).

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "rtprov/records/station.hpp"

namespace rtprov::cli {

struct StationArgs {
    std::string dir;         // --station-dir (default records::default_station_dir())
    std::string name;        // --station (default $RTPROV_STATION, else the host name)
    std::string board_data;  // --board-data FILE.csv
};

// Declares --station-dir, --station, --board-data and --burn-data-fuses on `app`.
void add_station_options(CLI::App& app, StationArgs& args, write::WriteOptions& options);

// The station of a run: opens (creates) its records database, checks the job against it (CSV
// columns, quota), installs the station's hooks in `options`; sink() records every event before
// passing it to `next`. Throws Error(Io) when the database cannot be opened, Error(Usage) when
// the quota is used up or the CSV does not fit the package.
class WriteStation {
  public:
    WriteStation(const StationArgs& args, const write::Job& job, const std::string& package_file,
                 write::WriteOptions& options, write::EventSink next);
    write::EventSink sink();
    // The database file (for messages).
    std::string database() const { return db_->file().string(); }

  private:
    std::unique_ptr<records::Database> db_;
    std::unique_ptr<records::Station> station_;
};

}  // namespace rtprov::cli
