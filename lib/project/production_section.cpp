// The project file's `per_board:` list (values each board gets) and `production:` mapping
// (limits the station enforces); export-pkg turns them into per-board-data steps and the
// manifest's production object (schema 2.1).

#include <set>

#include "yaml_reader.hpp"

namespace rtprov::project::detail {

namespace {

BoardDataSpec parse_item(const Reader& r, const YAML::Node& item, std::size_t i) {
    const std::string at = fmt::format("per_board[{}]", i);
    r.expect_keys(item, at,
                  {"name", "source", "start", "column", "format", "size", "address", "fuses"});
    BoardDataSpec d;
    d.where = r.where(item);
    if (!item["name"])
        r.fail(item, fmt::format("'{}.name' is missing", at));
    d.name = r.string(item["name"], at + ".name");
    if (!item["source"])
        r.fail(item, fmt::format("'{}.source' is missing (counter, csv or uid)", at));
    d.source = r.string(item["source"], at + ".source");
    if (d.source != "counter" && d.source != "csv" && d.source != "uid")
        r.fail(item["source"],
               fmt::format("'{}.source': '{}' is not counter, csv or uid", at, d.source));
    if (item["start"]) {
        if (d.source != "counter")
            r.fail(item["start"], fmt::format("'{}.start' is for a counter", at));
        d.start = r.number(item["start"], at + ".start");
    }
    if (d.source == "csv") {
        if (!item["column"])
            r.fail(item, fmt::format("'{}.column' is missing: the CSV column of the value", at));
        d.column = r.string(item["column"], at + ".column");
    } else if (item["column"]) {
        r.fail(item["column"], fmt::format("'{}.column' is for a csv value", at));
    }
    if (item["format"])
        d.format = r.string(item["format"], at + ".format");
    if (item["size"])
        d.size = r.u32(item["size"], at + ".size");
    if (item["address"])
        d.address = r.u32(item["address"], at + ".address");
    if (const YAML::Node fuses = item["fuses"]) {
        if (fuses.IsScalar()) {
            d.fuses.push_back(r.string(fuses, at + ".fuses"));
        } else if (fuses.IsSequence()) {
            for (const auto& w : fuses)
                d.fuses.push_back(r.string(w, at + ".fuses"));
        } else {
            r.fail(fuses, fmt::format("'{}.fuses' must list fuse words", at));
        }
        if (d.fuses.empty())
            r.fail(fuses, fmt::format("'{}.fuses' is empty", at));
    }
    if (d.address.has_value() == !d.fuses.empty())
        r.fail(item, fmt::format("{} ({}): give either 'address' (flash) or 'fuses'", at, d.name));
    return d;
}

}  // namespace

std::vector<BoardDataSpec> parse_per_board_section(const Reader& r, const YAML::Node& node) {
    if (!node.IsSequence())
        r.fail(node, "'per_board' must be a list of values");
    std::vector<BoardDataSpec> out;
    std::set<std::string> names;
    for (std::size_t i = 0; i < node.size(); ++i) {
        out.push_back(parse_item(r, node[i], i));
        if (!names.insert(out.back().name).second)
            r.fail(node[i]["name"], fmt::format("per_board: '{}' is named twice", out.back().name));
    }
    return out;
}

std::uint64_t parse_production_section(const Reader& r, const YAML::Node& node) {
    r.expect_keys(node, "production", {"quota"});
    if (!node["quota"])
        r.fail(node, "'production.quota' is missing");
    const std::uint64_t quota = r.number(node["quota"], "production.quota");
    if (quota == 0)
        r.fail(node["quota"], "'production.quota': 0 boards: give at least 1");
    return quota;
}

}  // namespace rtprov::project::detail
