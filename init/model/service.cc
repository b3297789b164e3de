#include "init/model/service.h"


namespace ctinit {

std::string Diagnostic::ToString() const {
  if (line > 0) return file + ":" + std::to_string(line) + ": " + message;
  return file + ": " + message;
}

}  // namespace ctinit
