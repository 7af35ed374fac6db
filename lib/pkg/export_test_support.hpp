#pragma once
// For lib/pkg's export tests of encrypted projects (test-only header): export in memory, look at
// the manifest, and catch the refusals.

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/validate.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::pkg::test_support {

// The project exported with its secrets in memory (sealing: seal_test, encrypted_e2e_test).
inline ExportedPackage exported(const std::filesystem::path& project) {
    ExportOptions o;
    o.insecure_plain_secrets = true;
    o.project = project;
    return export_package(o);
}

inline const FuseWordPlan& fuse(const Manifest& m, const std::string& word) {
    const auto it = std::find_if(m.fuses.begin(), m.fuses.end(),
                                 [&](const FuseWordPlan& f) { return f.word == word; });
    if (it == m.fuses.end())
        throw Error(ErrorCode::Internal, word + " not in fuses[]");
    return *it;
}

inline std::vector<std::string> fuse_words(const Manifest& m) {
    std::vector<std::string> out;
    for (const FuseWordPlan& f : m.fuses)
        out.push_back(f.word);
    return out;
}

inline bool needs_feature(const Manifest& m, const std::string& feature) {
    return std::any_of(m.required.begin(), m.required.end(),
                       [&](const RequiredFeature& r) { return r.name == feature; });
}

// The plan as "op", with a configure-memory's first option word and a lock-fuses' field.
inline std::vector<std::string> ops(const Manifest& m) {
    std::vector<std::string> out;
    for (const WriteStep& s : m.write_plan) {
        std::string op(step_op_name(s.op));
        if (s.op == StepOp::ConfigureMemory && !s.option_words.empty())
            op += fmt::format(" 0x{:08X}", s.option_words.front());
        if (s.op == StepOp::LockFuses)
            op += " " + s.field;
        out.push_back(op);
    }
    return out;
}

// validate_manifest's message, or "valid".
inline std::string validate_error(const Manifest& m, const std::map<std::string, Bytes>& files) {
    try {
        validate_manifest(m, files);
    } catch (const Error& e) {
        return e.what();
    }
    return "valid";
}

// The Error(Usage) exporting `project` ends with, or "exported".
inline std::string usage_error(const std::filesystem::path& project) {
    try {
        (void)exported(project);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Usage) << e.what();
        return e.what();
    }
    return "exported";
}

}  // namespace rtprov::pkg::test_support
