// manifest.json as rtprov writes it: fixed key order, 2-space indent.

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "rtprov/pkg/manifest.hpp"

namespace rtprov::pkg {

namespace {

using Json = nlohmann::ordered_json;

Json step_json(const WriteStep& s) {
    Json e = {{"op", step_op_name(s.op)}};
    const auto hex = [](std::uint32_t v) { return fmt::format("0x{:08x}", v); };
    switch (s.op) {
        case StepOp::ConfigureMemory:
            e["memory_id"] = s.memory_id;
            if (!s.fcb_file.empty()) {
                e["fcb_file"] = s.fcb_file;
                e["fcb_offset"] = s.fcb_offset;
            } else {
                e["option_words"] = Json::array();
                for (const auto w : s.option_words)
                    e["option_words"].push_back(hex(w));
            }
            break;
        case StepOp::Erase:
            e["memory_id"] = s.memory_id;
            e["address"] = hex(s.address);
            e["length"] = s.length;
            break;
        case StepOp::Write:
        case StepOp::Verify:
            e["memory_id"] = s.memory_id;
            e["address"] = hex(s.address);
            e["file"] = s.file;
            break;
        case StepOp::ProgramFuses:
            e["words"] = s.words;
            break;
        case StepOp::LockFuses:
            e["field"] = s.field;
            break;
        case StepOp::PerBoardData: {
            const BoardData& d = s.data;
            e["name"] = d.name;
            e["source"] = board_data_source_name(d.source);
            if (d.source == BoardDataSource::Counter)
                e["start"] = d.start;
            if (d.source == BoardDataSource::Csv)
                e["column"] = d.column;
            e["format"] = board_data_format_name(d.format);
            e["size"] = d.size;
            if (!d.fuses.empty()) {
                e["fuses"] = d.fuses;
            } else {
                e["memory_id"] = d.memory_id;
                e["address"] = hex(d.address);
            }
            break;
        }
        case StepOp::KeyBlob:
            e["memory_id"] = s.memory_id;
            e["address"] = hex(s.address);
            e["secret"] = s.secret;
            break;
        case StepOp::LoadFlashloader:
        case StepOp::Reset:
            break;
    }
    return e;
}

}  // namespace

std::string format_manifest(const Manifest& m) {
    Json doc;
    const SchemaVersion schema = std::max(m.schema, schema_for(m));
    doc["schema_version"] = fmt::format("{}.{}", schema.major, schema.minor);
    doc["requires"] = Json::array();
    for (const auto& f : m.required)
        doc["requires"].push_back({{"feature", f.name}, {"added_in", f.added_in}});
    doc["writer"] = m.writer;
    doc["device"] = m.device;
    doc["files"] = Json::array();
    for (const auto& f : m.files) {
        doc["files"].push_back({{"path", f.path},
                                {"sha256", f.sha256},
                                {"size", f.size},
                                {"role", file_role_name(f.role)}});
    }
    doc["images"] = Json::array();
    for (const auto& i : m.images) {
        doc["images"].push_back({{"boot_device", i.boot_device},
                                 {"file", i.file},
                                 {"signed", i.is_signed},
                                 {"memory_id", i.memory_id},
                                 {"address", fmt::format("0x{:08x}", i.address)}});
    }
    doc["flashloaders"] = Json::array();
    for (const auto& f : m.flashloaders) {
        doc["flashloaders"].push_back({{"file", f.file},
                                       {"signed", f.is_signed},
                                       {"load_address", fmt::format("0x{:08x}", f.load_address)},
                                       {"ivt_address", fmt::format("0x{:08x}", f.ivt_address)}});
    }
    doc["fuses"] = Json::array();
    for (const auto& w : m.fuses) {
        Json e = {{"word", w.word},
                  {"index", w.index},
                  {"value", fmt::format("0x{:08x}", w.value)},
                  {"lock", lock_policy_name(w.lock)}};
        if (w.lock != LockPolicy::None)
            e["lock_field"] = w.lock_field;
        if (w.mask != kWholeWord)
            e["mask"] = fmt::format("0x{:08x}", w.mask);
        if (!w.secret.empty())
            e["secret"] = w.secret;
        doc["fuses"].push_back(std::move(e));
    }
    doc["write_plan"] = Json::array();
    for (const auto& step : m.write_plan)
        doc["write_plan"].push_back(step_json(step));
    if (m.production.quota)
        doc["production"] = {{"quota", *m.production.quota}};
    if (m.secrets)
        doc["secrets"] = {{"file", m.secrets->file},
                          {"sealed", m.secrets->sealed},
                          {"names", m.secrets->names}};
    return doc.dump(2) + "\n";
}

}  // namespace rtprov::pkg
