// placeholder: implemented by its module's work
