#include "eval/task_file.h"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tokenizer/jinja/json_value.h"
#include "tokenizer/jinja/template.h"

namespace fab::eval {
namespace {

namespace json = boost::json;

constexpr size_t kMaxDatasetBytes = size_t{256} << 20;

// A YAML node as JSON (scalars stay strings unless they read as YAML numbers or booleans).
json::value ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: {
      json::array out;
      for (const YAML::Node& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json::object out;
      for (const auto& item : node) out[item.first.as<std::string>()] = ToJson(item.second);
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() != "!") {  // unquoted: numbers and booleans as YAML reads them
        int64_t integer;
        if (YAML::convert<int64_t>::decode(node, integer)) return integer;
        double real;
        if (YAML::convert<double>::decode(node, real)) return real;
        bool flag;
        if (YAML::convert<bool>::decode(node, flag) && (text == "true" || text == "false")) return flag;
      }
      return json::string(text);
    }
    default:
      return nullptr;
  }
}

// Renders a doc_to_* value over `doc`: a template with {{ }} / {% %}, or a field name.
class DocField {
 public:
  static StatusOr<DocField> Of(const json::value& spec, const std::string& key) {
    DocField field;
    field.spec_ = spec;
    if (spec.is_string()) {
      const std::string text(spec.as_string());
      if (text.find("{{") != std::string::npos || text.find("{%") != std::string::npos) {
        StatusOr<jinja::Template> parsed = jinja::Template::Parse(text);
        if (!parsed.ok()) return InvalidArgumentError(key + ": " + parsed.status().message());
        field.template_ = std::make_shared<jinja::Template>(std::move(parsed).value());
      }
    }
    return field;
  }

  // The value for `doc`: a rendered string, a field's value, or the literal spec.
  StatusOr<json::value> Apply(const json::object& doc) const {
    if (template_ != nullptr) {
      // "{{field}}" alone yields the field itself (lists for doc_to_choice).
      const std::string text(spec_.as_string());
      const size_t open = text.find("{{"), close = text.rfind("}}");
      if (open == 0 && close == text.size() - 2 && text.find("{{", 2) == std::string::npos) {
        std::string name = text.substr(2, close - 2);
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (const json::value* value = doc.if_contains(name)) return *value;
      }
      jinja::DictData variables;
      for (const auto& [key, value] : doc) {
        FAB_ASSIGN_OR_RETURN(jinja::Value v, jinja::ValueFromJson(value));
        variables.Set(std::string(key), std::move(v));
      }
      FAB_ASSIGN_OR_RETURN(std::string rendered, template_->Render(variables));
      return json::value(json::string(rendered));
    }
    if (spec_.is_string()) {
      if (const json::value* value = doc.if_contains(spec_.as_string())) return *value;
    }
    return spec_;
  }

 private:
  json::value spec_;
  std::shared_ptr<jinja::Template> template_;
};

std::string Text(const json::value& value) {
  if (value.is_string()) return std::string(value.as_string());
  return json::serialize(value);
}

StatusOr<std::vector<json::object>> ReadDocuments(const std::filesystem::path& path) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return NotFoundError("dataset_path " + path.string() + ": " + error.message());
  if (size > kMaxDatasetBytes) return InvalidArgumentError("dataset_path " + path.string() + " is over 256 MiB");
  std::ifstream in(path);
  std::vector<json::object> docs;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code parse_error;
    json::value value = json::parse(line, parse_error);
    if (parse_error || !value.is_object()) {
      return InvalidArgumentError(path.string() + " line " + std::to_string(number) + ": not a JSON object");
    }
    docs.push_back(std::move(value.as_object()));
  }
  if (docs.empty()) return InvalidArgumentError(path.string() + " holds no documents");
  return docs;
}

StatusOr<TaskFile> Load(const std::filesystem::path& file, int64_t limit) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string("not YAML: ") + e.what());
  }
  if (!root.IsMap()) return InvalidArgumentError("not a YAML mapping of task keys");
  const json::object config = ToJson(root).as_object();
  const auto string_key = [&](const char* key, bool required) -> StatusOr<std::string> {
    const json::value* value = config.if_contains(key);
    if (value == nullptr) {
      if (required) return InvalidArgumentError(std::string("'") + key + "' is required");
      return std::string();
    }
    if (!value->is_string() && !value->is_number()) return InvalidArgumentError(std::string("'") + key + "' must be text");
    return Text(*value);
  };
  TaskFile out;
  Task& task = out.task;
  FAB_ASSIGN_OR_RETURN(task.name, string_key("task", true));
  FAB_ASSIGN_OR_RETURN(task.license, string_key("license", false));
  if (task.license.empty()) {
    return InvalidArgumentError("'license' is required: record the dataset's licence (tokenfab uses external data only "
                                "with its licence recorded)");
  }
  FAB_ASSIGN_OR_RETURN(std::string dataset, string_key("dataset_path", true));
  FAB_ASSIGN_OR_RETURN(std::string output_type, string_key("output_type", true));
  if (output_type == "multiple_choice") {
    task.type = OutputType::kMultipleChoice;
  } else if (output_type == "generate_until") {
    task.type = OutputType::kGenerateUntil;
  } else {
    return InvalidArgumentError("output_type '" + output_type + "' is not supported (multiple_choice, generate_until are)");
  }
  if (config.contains("target_delimiter")) {
    FAB_ASSIGN_OR_RETURN(task.target_delimiter, string_key("target_delimiter", false));
  }
  if (config.contains("fewshot_delimiter")) {
    FAB_ASSIGN_OR_RETURN(task.fewshot_delimiter, string_key("fewshot_delimiter", false));
  }
  FAB_ASSIGN_OR_RETURN(task.description, string_key("description", false));
  if (const json::value* n = config.if_contains("num_fewshot")) {
    if (!n->is_int64() || n->as_int64() < 0 || n->as_int64() > 64) return InvalidArgumentError("'num_fewshot' must be 0 to 64");
    out.num_fewshot = n->as_int64();
  }
  if (const json::value* kwargs = config.if_contains("generation_kwargs"); kwargs != nullptr && kwargs->is_object()) {
    if (const json::value* until = kwargs->as_object().if_contains("until")) {
      task.until.clear();
      if (until->is_string()) task.until.push_back(std::string(until->as_string()));
      if (until->is_array()) {
        for (const json::value& s : until->as_array()) task.until.push_back(Text(s));
      }
    }
    if (const json::value* max = kwargs->as_object().if_contains("max_gen_toks")) {
      if (!max->is_int64() || max->as_int64() < 1 || max->as_int64() > 4096) {
        return InvalidArgumentError("'generation_kwargs.max_gen_toks' must be 1 to 4096");
      }
      task.max_gen_toks = max->as_int64();
    }
  }
  if (const json::value* filters = config.if_contains("filter_list"); filters != nullptr && filters->is_array()) {
    for (const json::value& entry : filters->as_array()) {
      const json::value* steps = entry.is_object() ? entry.as_object().if_contains("filter") : nullptr;
      if (steps == nullptr || !steps->is_array()) continue;
      for (const json::value& step : steps->as_array()) {
        const std::string function = step.is_object() && step.as_object().contains("function")
                                         ? Text(step.at("function")) : "";
        if (function == "regex") {
          const json::value* pattern = step.as_object().if_contains("regex_pattern");
          if (pattern == nullptr) return InvalidArgumentError("a regex filter needs 'regex_pattern'");
          task.answer_regex = Text(*pattern);
        } else if (function != "take_first" && function != "strip") {
          return InvalidArgumentError("filter function '" + function + "' is not supported (regex, take_first, strip are)");
        }
      }
      break;  // the first filter pipeline scores
    }
  }
  if (const json::value* metrics = config.if_contains("metric_list"); metrics != nullptr && metrics->is_array()) {
    static const std::set<std::string> kMetrics = {"acc", "acc_norm", "exact_match"};
    for (const json::value& metric : metrics->as_array()) {
      const std::string name = metric.is_object() && metric.as_object().contains("metric") ? Text(metric.at("metric")) : "";
      if (!kMetrics.count(name)) return InvalidArgumentError("metric '" + name + "' is not supported (acc, acc_norm, exact_match are)");
    }
  }
  const json::value* text_spec = config.if_contains("doc_to_text");
  const json::value* target_spec = config.if_contains("doc_to_target");
  if (text_spec == nullptr) return InvalidArgumentError("'doc_to_text' is required");
  if (target_spec == nullptr) return InvalidArgumentError("'doc_to_target' is required");
  FAB_ASSIGN_OR_RETURN(DocField to_text, DocField::Of(*text_spec, "doc_to_text"));
  FAB_ASSIGN_OR_RETURN(DocField to_target, DocField::Of(*target_spec, "doc_to_target"));
  std::optional<DocField> to_choice;
  if (task.type == OutputType::kMultipleChoice) {
    const json::value* choice_spec = config.if_contains("doc_to_choice");
    if (choice_spec == nullptr) return InvalidArgumentError("'doc_to_choice' is required for multiple_choice");
    FAB_ASSIGN_OR_RETURN(to_choice, DocField::Of(*choice_spec, "doc_to_choice"));
  }

  out.dataset_path = dataset;
  const std::filesystem::path dataset_path = file.parent_path() / dataset;
  FAB_ASSIGN_OR_RETURN(std::vector<json::object> docs, ReadDocuments(dataset_path));
  std::vector<Doc> all;
  size_t n_choices = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    const std::string where = dataset_path.string() + " line " + std::to_string(i + 1) + ": ";
    Doc doc;
    StatusOr<json::value> text = to_text.Apply(docs[i]);
    if (!text.ok()) return InvalidArgumentError(where + "doc_to_text: " + text.status().message());
    doc.context = Text(*text);
    StatusOr<json::value> target = to_target.Apply(docs[i]);
    if (!target.ok()) return InvalidArgumentError(where + "doc_to_target: " + target.status().message());
    if (task.type == OutputType::kGenerateUntil) {
      doc.target = Text(*target);
    } else {
      StatusOr<json::value> choices = to_choice->Apply(docs[i]);
      if (!choices.ok()) return InvalidArgumentError(where + "doc_to_choice: " + choices.status().message());
      if (!choices->is_array() || choices->as_array().size() < 2) {
        return InvalidArgumentError(where + "doc_to_choice must give a list of at least two choices");
      }
      for (const json::value& choice : choices->as_array()) doc.choices.push_back(task.target_delimiter + Text(choice));
      // The target: an index, or the text of one choice.
      json::value index = *target;
      if (index.is_string()) {
        const std::string t(index.as_string());
        const bool digits = !t.empty() && t.find_first_not_of("0123456789") == std::string::npos;
        if (digits) index = static_cast<int64_t>(std::stoll(t.substr(0, 9)));
      }
      if (index.is_int64() && index.as_int64() >= 0 && static_cast<size_t>(index.as_int64()) < doc.choices.size()) {
        doc.gold = static_cast<size_t>(index.as_int64());
      } else {
        const std::string wanted = task.target_delimiter + Text(*target);
        const auto at = std::find(doc.choices.begin(), doc.choices.end(), wanted);
        if (at == doc.choices.end()) return InvalidArgumentError(where + "doc_to_target is neither a choice's index nor its text");
        doc.gold = static_cast<size_t>(at - doc.choices.begin());
      }
      n_choices = std::max(n_choices, doc.choices.size());
    }
    all.push_back(std::move(doc));
  }
  task.random_baseline = task.type == OutputType::kMultipleChoice ? 1.0 / static_cast<double>(n_choices) : 0.0;
  const size_t n = limit > 0 ? std::min(all.size(), static_cast<size_t>(limit)) : all.size();
  task.docs.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
  task.fewshot_docs.assign(all.begin() + static_cast<std::ptrdiff_t>(n), all.end());
  if (task.fewshot_docs.empty()) task.fewshot_docs = all;  // a small file: examples come from the same items
  return out;
}

}  // namespace

StatusOr<TaskFile> LoadTaskFile(const std::string& path, int64_t limit) {
  StatusOr<TaskFile> loaded = Load(std::filesystem::path(path), limit);
  if (!loaded.ok()) return Status(loaded.status().code(), "task file " + path + ": " + loaded.status().message());
  return loaded;
}

}  // namespace fab::eval
