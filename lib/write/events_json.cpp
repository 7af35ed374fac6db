#include "rtprov/write/events_json.hpp"

#include <cmath>

#include <fmt/format.h>

#include "rtprov/write/fuse_plan.hpp"

namespace rtprov::write {

namespace {

using Json = nlohmann::json;

std::string hex32(std::uint32_t v) {
    return fmt::format("0x{:08x}", v);
}

// Durations and rates with millisecond / byte precision: enough, and stable to read. `per_unit`
// is 1000 for milliseconds (dividing, not multiplying by 0.001, prints 0.7 and not 0.70000001).
double rounded(double v, double per_unit) {
    return std::round(v * per_unit) / per_unit;
}

Json step_json(const StepRecord& s) {
    return {{"step", s.index},
            {"op", s.op},
            {"status", s.status},
            {"seconds", rounded(s.seconds, 1000)},
            {"detail", s.detail}};
}

}  // namespace

Json fuse_row_json(const FuseRow& row) {
    // A secret word (a BEE user key word) shows its secret's name, never a value.
    const auto value = [&](std::uint32_t v) {
        return row.secret.empty() ? Json(hex32(v)) : Json(fuse_value_text(row, v));
    };
    const bool unknown = row.status == FuseStatus::Assigned && row.secret.empty();
    Json j = {{"word", row.word},
              {"index", row.index},
              {"current", value(row.current)},
              {"new", unknown ? Json() : value(row.target)},
              {"purpose", row.purpose},
              {"status", fuse_status_name(row.status)}};
    if (row.mask != 0xFFFFFFFF)
        j["mask"] = hex32(row.mask);
    j["read_back"] = row.read_back && row.secret.empty() ? Json(hex32(*row.read_back))
                                                         : Json(nullptr);
    return j;
}

Json result_json(const BoardResult& r) {
    Json images = Json::array();
    for (const auto& i : r.images) {
        images.push_back({{"file", i.file},
                          {"sha256", i.sha256},
                          {"memory_id", i.memory_id},
                          {"address", hex32(i.address)},
                          {"size", i.size}});
    }
    Json fuses = Json::array();
    for (const auto& f : r.fuses)
        fuses.push_back(fuse_row_json(f));
    Json steps = Json::array();
    for (const auto& s : r.steps)
        steps.push_back(step_json(s));
    Json j = {{"board", r.board},
              {"outcome", outcome_name(r.outcome)},
              {"uid", r.uid ? Json(*r.uid) : Json(nullptr)},
              {"device", r.device},
              {"package_sha256", r.package_sha256},
              {"hab", r.hab_closed ? Json(*r.hab_closed ? "closed" : "open") : Json(nullptr)},
              {"images", images},
              {"fuses", fuses},
              {"steps", steps},
              {"bytes_written", r.bytes_written},
              {"bytes_unchanged", r.bytes_unchanged},
              {"resumed", r.resumed},
              {"retries", r.retries},
              {"seconds", rounded(r.seconds, 1000)},
              {"started_at", r.started_at},
              {"boot_check", r.boot_check},
              {"fuses_waived", r.fuses_waived},
              {"trust", trust_name(r.trust)}};
    if (r.error_code) {
        j["error"] = {{"code", error_code_name(*r.error_code)},
                      {"exit_code", exit_code(*r.error_code)},
                      {"message", r.error},
                      {"step", r.error_step}};
    } else {
        j["error"] = nullptr;
    }
    return j;
}

Json event_json(const Event& e) {
    Json j = {
        {"event", event_kind_name(e.kind)}, {"board", e.board}, {"time", rounded(e.time, 1000)}};
    switch (e.kind) {
        case EventKind::Start:
            j["device"] = e.result ? e.result->device : "";
            j["package_sha256"] = e.result ? e.result->package_sha256 : "";
            j["started_at"] = e.result ? e.result->started_at : "";
            break;
        case EventKind::StepStart:
            j["step"] = e.step;
            j["op"] = e.op;
            break;
        case EventKind::StepEnd:
            j["step"] = e.step;
            j["op"] = e.op;
            j["status"] = e.status;
            j["seconds"] = rounded(e.seconds, 1000);
            j["detail"] = e.message;
            break;
        case EventKind::Progress:
            j["step"] = e.step;
            j["op"] = e.op;
            j["done"] = e.done;
            j["total"] = e.total;
            j["rate"] = rounded(e.rate, 1);
            j["eta"] = e.eta ? Json(rounded(*e.eta, 10)) : Json(nullptr);
            break;
        case EventKind::FusePlan: {
            Json words = Json::array();
            if (e.result != nullptr) {
                for (const auto& f : e.result->fuses)
                    words.push_back(fuse_row_json(f));
            }
            j["words"] = words;
            break;
        }
        case EventKind::Retry:
            j["step"] = e.step;
            j["op"] = e.op;
            j["attempt"] = e.attempt;
            j["delay_ms"] = e.delay_ms;
            j["reason"] = e.message;
            break;
        case EventKind::Warning:
            j["message"] = e.message;
            break;
        case EventKind::Result:
            if (e.result != nullptr)
                j.update(result_json(*e.result));
            break;
    }
    return j;
}

}  // namespace rtprov::write
