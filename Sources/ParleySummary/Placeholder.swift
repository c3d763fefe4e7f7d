enum PlaceholderParleySummary {}
