using Greengage.Delivery.Apns;
using Greengage.Delivery.Credentials;
using Greengage.Delivery.Email;
using Greengage.Delivery.Fcm;
using Greengage.Delivery.WebPush;
using Greengage.Delivery.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Greengage.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the credential store, the five providers (each also as <see cref="IDeliveryProvider"/>),
    /// <see cref="DeliveryProviders"/> and <see cref="UnsubscribeLinks"/>. Needs an <c>IContentStore</c>, a
    /// <see cref="TimeProvider"/> and logging registered.
    /// </summary>
    public static IServiceCollection AddGreengageDelivery(this IServiceCollection services, DeliveryOptions options, Func<IServiceProvider, UnsubscribeLinks> unsubscribeLinks)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton(sp => new DeliveryCredentialStore(sp.GetRequiredService<Greengage.Engine.Storage.IContentStore>(), sp.GetRequiredService<TimeProvider>(), options));
        services.AddSingleton(unsubscribeLinks);
        services.AddSingleton(sp => new FcmProvider(options.Fcm, sp.GetRequiredService<DeliveryCredentialStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FcmProvider>>()));
        services.AddSingleton(sp => new ApnsProvider(options.Apns, sp.GetRequiredService<DeliveryCredentialStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ApnsProvider>>()));
        services.AddSingleton(sp => new WebPushProvider(options.WebPush, sp.GetRequiredService<DeliveryCredentialStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebPushProvider>>()));
        services.AddSingleton(sp => new WebhookProvider(options.Webhook, sp.GetRequiredService<DeliveryCredentialStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookProvider>>()));
        services.AddSingleton(sp => new EmailProvider(options.Smtp, sp.GetRequiredService<DeliveryCredentialStore>(), sp.GetRequiredService<UnsubscribeLinks>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EmailProvider>>()));
        services.AddSingleton<IDeliveryProvider>(sp => sp.GetRequiredService<FcmProvider>());
        services.AddSingleton<IDeliveryProvider>(sp => sp.GetRequiredService<ApnsProvider>());
        services.AddSingleton<IDeliveryProvider>(sp => sp.GetRequiredService<WebPushProvider>());
        services.AddSingleton<IDeliveryProvider>(sp => sp.GetRequiredService<WebhookProvider>());
        services.AddSingleton<IDeliveryProvider>(sp => sp.GetRequiredService<EmailProvider>());
        services.AddSingleton<DeliveryProviders>();
        services.AddSingleton(options.Outbox);
        services.AddSingleton<Greengage.Engine.Delivery.IDeliverySender, Outbox.ProviderDeliverySender>();
        services.AddSingleton<Greengage.Engine.Delivery.OutboxDispatcher>();
        services.AddSingleton<Greengage.Engine.Delivery.OutboxBacklog>();
        services.AddSingleton(options.Schedule);
        services.AddSingleton<Greengage.Engine.Delivery.ScheduleRunner>();
        return services;
    }
}
