from django.contrib import admin

from .models import Contact, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "status", "user", "address", "subject", "attempts", "last_error"]
    list_filter = ["channel", "status"]
    search_fields = ["address", "key", "subject"]
    list_select_related = ["user"]
    readonly_fields = ["dedupe_key", "created_at", "sent_at", "attempts"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["channel", "address", "opted_out_at", "bounced_at", "bounce_reason"]
    list_filter = ["channel"]
    search_fields = ["address"]
