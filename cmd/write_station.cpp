#include "write_station.hpp"

#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "cli_errors.hpp"
#include "rtprov/util/process.hpp"
#include "rtprov/util/text.hpp"

namespace rtprov::cli {

void add_station_options(CLI::App& app, StationArgs& args, write::WriteOptions& options) {
    app.add_option("--station-dir", args.dir,
                   "Station directory holding records.sqlite, the production record (default "
                   "$RTPROV_STATION_DIR, else ~/.local/share/rtprov/station)");
    app.add_option("--station", args.name,
                   "Station name in the records (default $RTPROV_STATION, else the host name)");
    app.add_option("--board-data", args.board_data,
                   "CSV file of per-board values (header row; first column the key): each board "
                   "reserves one row, never given to another")
        ->check(existing_file());
    app.add_flag("--burn-data-fuses", options.burn_data_fuses,
                 "Burn per-board values the package puts into fuse words (irreversible)");
}

WriteStation::WriteStation(const StationArgs& args, const write::Job& job,
                           const std::string& package_file, write::WriteOptions& options,
                           write::EventSink next) {
    const char* env = std::getenv("RTPROV_STATION");
    // The name goes into every record and onto every terminal that shows them: printable only.
    require_printable(args.name, "--station");
    if (env != nullptr)
        require_printable(env, "RTPROV_STATION");
    const std::filesystem::path dir =
        args.dir.empty() ? records::default_station_dir() : std::filesystem::path(args.dir);
    db_ = std::make_unique<records::Database>(records::database_path(dir), true);
    records::AttemptContext context;
    context.host = host_name();
    context.station = !args.name.empty()               ? args.name
                      : env != nullptr && *env != '\0' ? std::string(env)
                                                       : context.host;
    context.pid = static_cast<long>(::getpid());
    context.package_file = package_file;
    const pkg::Manifest& m = job.package.manifest;
    const pkg::SchemaVersion schema = std::max(m.schema, pkg::schema_for(m));
    context.package_schema = fmt::format("{}.{}", schema.major, schema.minor);
    context.package_writer = m.writer;
    std::optional<write::CsvTable> csv;
    if (!args.board_data.empty())
        csv = write::read_board_csv(args.board_data);
    station_ = std::make_unique<records::Station>(*db_, job, std::move(context), std::move(csv),
                                                  std::move(next));
    station_->check_job();
    station_->install(options);
}

write::EventSink WriteStation::sink() {
    return [s = station_.get()](const write::Event& e) { (*s)(e); };
}

}  // namespace rtprov::cli
