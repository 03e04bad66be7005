"""Reading the plan: ids, text folding, the matcher and its search, language detection, the sentence that answers, item pages."""
