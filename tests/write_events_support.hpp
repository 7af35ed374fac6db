#pragma once
// `rtprov write --json` output in black-box tests: the events parsed line by line, each checked
// against docs/write-events.schema.json by a small validator of the subset of JSON Schema it uses.

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::test {

using Json = nlohmann::json;

// ---- a small validator for the subset of JSON Schema docs/write-events.schema.json uses -------

class SchemaValidator {
  public:
    explicit SchemaValidator(Json schema) : root_(std::move(schema)) {}
    // Empty when `doc` matches, else why not.
    std::string check(const Json& doc) const { return check(doc, root_, "$"); }

  private:
    const Json& resolve(const Json& s) const {
        if (!s.contains("$ref"))
            return s;
        const std::string ref = s["$ref"];
        return root_.at("$defs").at(ref.substr(std::string("#/$defs/").size()));
    }
    static bool has_type(const Json& v, const std::string& t) {
        if (t == "object")
            return v.is_object();
        if (t == "array")
            return v.is_array();
        if (t == "string")
            return v.is_string();
        if (t == "boolean")
            return v.is_boolean();
        if (t == "null")
            return v.is_null();
        if (t == "integer")
            return v.is_number_integer();
        if (t == "number")
            return v.is_number();
        return false;
    }
    std::string check(const Json& v, const Json& schema, const std::string& at) const {
        const Json& s = resolve(schema);
        if (s.contains("oneOf")) {
            int matches = 0;
            std::string why;
            for (const auto& alt : s["oneOf"]) {
                const std::string e = check(v, alt, at);
                matches += e.empty() ? 1 : 0;
                if (!e.empty() && why.empty() && alt.contains("$ref") && v.is_object() &&
                    resolve(alt).contains("properties") &&
                    resolve(alt)["properties"].contains("event") &&
                    resolve(alt)["properties"]["event"].value("const", "") ==
                        v.value("event", "")) {
                    why = e;  // the alternative this event claims to be
                }
            }
            if (matches != 1)
                return why.empty() ? fmt::format("{}: matches {} of oneOf", at, matches) : why;
        }
        if (s.contains("type") && !has_type(v, s["type"]))
            return fmt::format("{}: not of type {}: {}", at, s["type"].get<std::string>(),
                               v.dump());
        if (s.contains("const") && v != s["const"])
            return fmt::format("{}: {} is not {}", at, v.dump(), s["const"].dump());
        if (s.contains("enum") &&
            std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end())
            return fmt::format("{}: {} not in {}", at, v.dump(), s["enum"].dump());
        if (s.contains("minimum") && v.is_number() && v.get<double>() < s["minimum"].get<double>())
            return fmt::format("{}: {} below the minimum", at, v.dump());
        if (s.contains("pattern") && v.is_string() &&
            !std::regex_search(v.get<std::string>(), std::regex(s["pattern"].get<std::string>())))
            return fmt::format("{}: {} does not match {}", at, v.dump(), s["pattern"].dump());
        if (v.is_object()) {
            for (const auto& r : s.value("required", Json::array())) {
                if (!v.contains(r))
                    return fmt::format("{}: missing {}", at, r.dump());
            }
            const Json props = s.value("properties", Json::object());
            for (const auto& [key, value] : v.items()) {
                if (props.contains(key)) {
                    if (auto e = check(value, props[key], at + "." + key); !e.empty())
                        return e;
                } else if (s.value("additionalProperties", true) == false) {
                    return fmt::format("{}: unexpected member '{}'", at, key);
                }
            }
        }
        if (v.is_array() && s.contains("items")) {
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (auto e = check(v[i], s["items"], fmt::format("{}[{}]", at, i)); !e.empty())
                    return e;
            }
        }
        return {};
    }

    Json root_;
};

inline const SchemaValidator& schema() {
    static const SchemaValidator v(
        Json::parse(read_text_file(kSource / "docs/write-events.schema.json")));
    return v;
}

// Parses --json output: every line one event matching the schema.
inline std::vector<Json> events_of(const std::string& out) {
    std::vector<Json> events;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        Json e;
        EXPECT_NO_THROW(e = Json::parse(line)) << line;
        const std::string why = schema().check(e);
        EXPECT_EQ(why, "") << line;
        events.push_back(std::move(e));
    }
    return events;
}

inline std::vector<Json> of_kind(const std::vector<Json>& events, const std::string& kind) {
    std::vector<Json> out;
    for (const auto& e : events) {
        if (e["event"] == kind)
            out.push_back(e);
    }
    return out;
}

}  // namespace rtprov::test
